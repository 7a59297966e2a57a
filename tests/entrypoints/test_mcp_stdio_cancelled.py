"""`imagestudio mcp` spawned as a real subprocess, driven by the official MCP client over stdio:
a paid call the agent cancels (`notifications/cancelled`) while it runs cancels its operation,
which then holds (never charges) the price until reconciled, and stores no file."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import anyio
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.settings import Profile, Settings

SLOW_SECONDS = 2.0


async def _usage(client: Client) -> dict[str, tuple[Any, Any]]:
    usage = (await client.call_tool("usage", {})).structured_content
    assert isinstance(usage, dict)
    return {row["name"]: (row["used"], row["held"]) for row in usage["rows"]}


async def test_a_paid_call_cancelled_over_stdio_cancels_its_operation(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    settings = Settings(profile=Profile.LOCAL, data_dir=data_dir, offline_price_usd="0.02")
    studio = await ImageStudio.connect(settings)
    try:
        await studio.assign_plan("alice", "pro")
    finally:
        await studio.aclose()
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "imagestudio.entrypoints.cli.main", "mcp", "--user", "alice"],
        env={
            "IMAGESTUDIO_PROFILE": "local",
            "IMAGESTUDIO_DATA_DIR": str(data_dir),
            "IMAGESTUDIO_OFFLINE_PRICE_USD": "0.02",
            "IMAGESTUDIO_OFFLINE_SLOW_SECONDS": str(SLOW_SECONDS),
            "IMAGESTUDIO_SIGNING_KEY": "a signing key of at least thirty-two characters",
        },
        cwd=tmp_path,
    )
    async with Client(server, mode="legacy") as client:
        with anyio.move_on_after(SLOW_SECONDS / 3) as waited:
            await client.call_tool("generate", {"prompt": "a red fox [offline:slow]"})
        assert waited.cancelled_caught, "the call ended before the agent could cancel it"

        # Long enough for an operation left running to have finished and been charged.
        await asyncio.sleep(SLOW_SECONDS * 1.5)
        usage = await _usage(client)
        assert usage["spend"] == ("$0.00", "$0.02"), usage
        assert usage["image-generation"] == (0, 1), usage
        assets = (await client.call_tool("list_assets", {})).structured_content
        assert assets == {"items": [], "next_cursor": None}
    assert list(data_dir.rglob("*.png")) == []  # no file stored either
