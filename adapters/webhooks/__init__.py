"""Sending webhooks: destinations checked after DNS, connections pinned to the address checked."""
