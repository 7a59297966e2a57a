"""A local server speaking the WaveSpeed v3 and Stability v2beta contracts, for offline runs.

It follows `provider_contracts.md` §3 (routes, envelopes, errors, lifecycles, limits, billing),
renders real outputs with the offline renderer, and keeps its own book of every billed task so
reconciliation can be checked against what the "provider" believes.
"""
