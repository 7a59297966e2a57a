"""What each tool tells a client about itself (MCP tool annotations), so an agent's host can
let the free reading tools run unasked and ask before a paid one."""

from __future__ import annotations

from mcp_types import ToolAnnotations

READING = ToolAnnotations(read_only_hint=True, open_world_hint=False)
"""Reads the user's own library, usage or prices: free, changes nothing."""
PAID = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True
)
"""Calls a provider and charges the plan (an idempotency key makes a retry safe)."""
LOCAL = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)
"""Makes a new asset on this machine, counted in the plan's local calls, never charged."""
