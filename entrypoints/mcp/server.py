"""The MCP server: every tool, acting as whoever `resolve` finds for each call (the stdio
server's one user, or the HTTP request's authenticated one)."""

from __future__ import annotations

import logging
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp_types import CallToolResult, InputRequiredResult, Tool
from pydantic import ValidationError

from imagestudio.domain.errors.echo import cut, echoed
from imagestudio.entrypoints.http.invalid_requests import invalid_request
from imagestudio.entrypoints.mcp import library_tools, local_tools, operation_tools, paid_tools
from imagestudio.entrypoints.mcp.acting import Resolve
from imagestudio.entrypoints.mcp.refusals import problem_error

INSTRUCTIONS = (
    "AI image operations under your plan's limits. Paid tools (generate, edit, upscale, "
    "control, image_to_3d, face_swap, image_to_video) reserve from your plan before they run "
    "and charge only for what succeeds: call `quote` first with the same arguments to see the "
    "price and whether your plan has room, above all before an expensive run (video, many "
    "variations). A refusal says whose limit, the numbers and when it clears; retrying does "
    "not help until then. Give an `idempotency_key` to retry a paid call safely. Images go in "
    "by asset id (yours, from list_assets or a result) or as base64; `get_asset` shows one."
)


class StudioServer(MCPServer[Any]):
    """The SDK's server, taking arguments as the HTTP API takes a body: an argument no tool
    has is refused (the SDK would drop it, and a paid run go ahead without it), and every
    broken argument, or a tool name no tool has, is the HTTP API's 400 problem, fields on its
    last line (not the SDK's pydantic text)."""

    async def list_tools(self) -> list[Tool]:
        return [
            tool.model_copy(update={"input_schema": {**tool.input_schema, **_CLOSED}})
            for tool in await super().list_tools()
        ]

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        known = {tool.name: tool for tool in await super().list_tools()}.get(name)
        if known is None:
            raise _refused(name, [{"loc": ("name",), "msg": f"no tool is named {echoed(name)}"}])
        unknown = sorted(set(arguments) - set(known.input_schema.get("properties", {})))
        if unknown:
            extra = "Extra inputs are not permitted"  # as pydantic says over HTTP
            raise _refused(name, [{"loc": (arg,), "msg": extra} for arg in unknown])
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as error:
            cause = error.__cause__
            if isinstance(error, UnexpectedToolError) or not isinstance(cause, ValidationError):
                raise
            raise _refused(name, cause.errors()) from None


_CLOSED = {"additionalProperties": False}


def _refused(tool: str, errors: Any) -> ToolError:
    return ToolError(f"Error executing tool {cut(tool)}: {problem_error(invalid_request(errors))}")


def build_server(resolve: Resolve) -> MCPServer[Any]:
    """The server with every tool registered."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    server = StudioServer(
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
