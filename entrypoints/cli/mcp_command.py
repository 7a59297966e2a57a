"""`imagestudio mcp`: the MCP server over stdio, for a local agent (its client starts this
command and talks to it over stdin/stdout; nothing else is written to stdout)."""

from __future__ import annotations

from typing import Annotated

import typer

User = Annotated[
    str | None,
    typer.Option(
        "--user",
        "-u",
        help="The user every tool call acts as, under their plan (default: the local user).",
    ),
]


def register(app: typer.Typer) -> None:
    app.command()(mcp)


def mcp(user: User = None) -> None:
    """Serve the MCP tools over stdio for a local agent, as one user."""
    import asyncio

    from imagestudio.entrypoints.cli.output import fail
    from imagestudio.entrypoints.mcp.stdio import UnknownMcpUser, serve_stdio
    from imagestudio.entrypoints.settings import Settings

    try:
        asyncio.run(serve_stdio(Settings(), user))
    except UnknownMcpUser as unknown:
        fail(unknown.error, as_json=False)
