"""The MCP server: every tool, acting as whoever `resolve` finds for each call (the stdio
server's one user, or the HTTP request's authenticated one)."""

from __future__ import annotations

import logging
from typing import Any

from mcp.server.mcpserver import MCPServer

from imagestudio.entrypoints.mcp import library_tools, local_tools, operation_tools, paid_tools
from imagestudio.entrypoints.mcp.acting import Resolve

INSTRUCTIONS = (
    "AI image operations under your plan's limits. Paid tools (generate, edit, upscale, "
    "control, image_to_3d, face_swap, image_to_video) reserve from your plan before they run "
    "and charge only for what succeeds: call `quote` first with the same arguments to see the "
    "price and whether your plan has room, above all before an expensive run (video, many "
    "variations). A refusal says whose limit, the numbers and when it clears; retrying does "
    "not help until then. Give an `idempotency_key` to retry a paid call safely. Images go in "
    "by asset id (yours, from list_assets or a result) or as base64; `get_asset` shows one."
)


def build_server(resolve: Resolve) -> MCPServer[Any]:
    """The server with every tool registered."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    server: MCPServer[Any] = MCPServer(
        "imagestudio", instructions=INSTRUCTIONS, version="0.1.0", log_level="WARNING"
    )
    # The SDK configures the root logger when built; the host process's logging is its own.
    root.handlers[:] = handlers
    root.setLevel(level)
    operation_tools.register(server, resolve)
    paid_tools.register(server, resolve)
    local_tools.register(server, resolve)
    library_tools.register(server, resolve)
    return server
