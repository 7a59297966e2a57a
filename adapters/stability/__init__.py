"""Stability v2beta adapter (provider_contracts.md §2): multipart, accept, async results."""
