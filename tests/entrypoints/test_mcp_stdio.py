"""`imagestudio mcp` spawned as a real subprocess and driven by the official MCP client over
stdio, as alice on a plan of one image generation, beside bob's library in the same database."""

from __future__ import annotations

import base64
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp_types import CallToolResult, ImageContent, TextContent
from PIL import Image

from imagestudio.application.use_cases.generate import GenerateRequest
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import Plan
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.http.signed_urls import AssetLinks, SignedAsset
from imagestudio.entrypoints.settings import Profile, Settings

if TYPE_CHECKING:
    from conftest import Cli

PUBLIC = "https://studio.example/api"
KEY = "a signing key of at least thirty-two characters"
PAID = {"generate", "edit", "upscale", "control", "image_to_3d", "face_swap", "image_to_video"}
TOOLS = PAID | {
    "quote",
    "get_operation",
    "usage",
    "list_models",
    "list_assets",
    "search_assets",
    "get_asset",
    "compress",
    "convert",
    "social",
}


def _environment(data_dir: Path) -> dict[str, str]:
    return {
        "IMAGESTUDIO_PROFILE": "local",
        "IMAGESTUDIO_DATA_DIR": str(data_dir),
        "IMAGESTUDIO_OFFLINE_PRICE_USD": "0.02",
        "IMAGESTUDIO_PUBLIC_URL": PUBLIC,
        "IMAGESTUDIO_SIGNING_KEY": KEY,
        "IMAGESTUDIO_IMAGE_WORKERS": "1",
    }


async def _seed(data_dir: Path) -> tuple[str, str]:
    """alice on a plan of one generation; bob (pro) with one asset: its id and operation."""
    settings = Settings(profile=Profile.LOCAL, data_dir=data_dir, offline_price_usd="0.02")
    studio = await ImageStudio.connect(settings)
    try:
        tight = Plan(name="tight", calls={QuotaCategory.IMAGE_GENERATION: Limit.of(1)})
        assert (await studio.define_plan.execute(tight)).unwrap() == tight
        await studio.assign_plan("alice", "tight")
        await studio.assign_plan("bob", "pro")
        made = await studio.generate.execute(GenerateRequest(user_id="bob", prompt="a boat"))
        done = made.unwrap()
        return done.assets[0].id, done.operation.id
    finally:
        await studio.aclose()


def _error(result: CallToolResult) -> str:
    assert result.is_error, result
    [text] = result.content
    assert isinstance(text, TextContent)
    return text.text


def _problem(result: CallToolResult) -> str:
    """The refusal's problem type (its fields are the error's last line, as JSON)."""
    kind: str = json.loads(_error(result).splitlines()[-1])["type"]
    return kind


def _body(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert isinstance(result.structured_content, dict)
    return result.structured_content


def _usage_row(usage: dict[str, Any], name: str) -> tuple[Any, Any]:
    [row] = [row for row in usage["rows"] if row["name"] == name]
    return row["used"], row["held"]


async def test_an_agent_over_stdio_works_within_alices_plan_and_library(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    bobs_asset, bobs_operation = await _seed(data_dir)
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "imagestudio.entrypoints.cli.main", "mcp", "--user", "alice"],
        env=_environment(data_dir),
        cwd=tmp_path,
    )
    async with Client(server, mode="legacy") as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert set(tools) == TOOLS
        for name, tool in tools.items():
            assert tool.annotations is not None, name
            if name in PAID:
                assert "`quote` first" in (tool.description or ""), name
                assert "idempotency_key" in tool.input_schema["properties"], name
                assert tool.annotations.open_world_hint, name
            reads = name not in PAID | {"compress", "convert", "social"}
            assert tool.annotations.read_only_hint is reads, name

        asked = {"prompt": "a red fox", "width": 1024, "height": 768}
        quoted = _body(await client.call_tool("quote", {"kind": "text-to-image", **asked}))
        assert quoted["amount_micros"] == 20_000 and quoted["amount_usd"] == "$0.02"

        first = _body(await client.call_tool("generate", {**asked, "idempotency_key": "fox-1"}))
        assert first["status"] == "succeeded" and first["charged_micros"] == 20_000
        [asset] = first["assets"]
        assert asset["url"].startswith(f"{PUBLIC}/v1/signed-assets/")
        token = httpx.URL(asset["url"]).path.rsplit("/", 1)[1]
        granted = AssetLinks(KEY.encode(), 3600).verify(token)
        assert isinstance(granted, SignedAsset)
        assert (granted.owner, granted.asset_id) == ("alice", asset["id"])

        again = _body(await client.call_tool("generate", {**asked, "idempotency_key": "fox-1"}))
        assert (again["id"], again["charged_micros"]) == (first["id"], 20_000)
        usage = _body(await client.call_tool("usage", {}))
        assert usage["user_id"] == "alice" and usage["plan"] == "tight"
        spent = _usage_row(usage, "image-generation"), _usage_row(usage, "spend")
        assert spent == ((1, 0), ("$0.02", "$0.00"))

        refusal = _error(await client.call_tool("generate", {**asked, "prompt": "a second fox"}))
        assert "calls:image-generation limit" in refusal and "limit 1" in refusal
        assert "used 1" in refusal and "resets at" in refusal
        fields = json.loads(refusal.splitlines()[-1])
        assert fields["type"] == "/problems/quota-exceeded" and fields["limit"] == 1
        assert fields["limit_name"] == "calls:image-generation" and fields["used"] == 1
        invalid = _error(await client.call_tool("generate", {"prompt": "x", "n": 0}))
        assert '"field": "n"' in invalid
        usage = _body(await client.call_tool("usage", {}))
        after = _usage_row(usage, "image-generation"), _usage_row(usage, "spend")
        assert after == spent  # refused and invalid: nothing charged, nothing held

        shown = await client.call_tool("get_asset", {"asset_id": asset["id"]})
        [image, described] = shown.content
        assert isinstance(image, ImageContent) and isinstance(described, TextContent)
        thumb = Image.open(io.BytesIO(base64.b64decode(image.data)))
        assert max(thumb.size) == 512 and json.loads(described.text)["id"] == asset["id"]
        full = await client.call_tool("get_asset", {"asset_id": asset["id"], "full": True})
        assert isinstance(full.content[0], ImageContent)
        whole = Image.open(io.BytesIO(base64.b64decode(full.content[0].data)))
        assert whole.size == (1024, 768)

        smaller = _body(
            await client.call_tool(
                "compress", {"image": {"asset_id": asset["id"]}, "quality": 40, "format": "jpg"}
            )
        )
        assert smaller["kind"] == "compress" and smaller["charged_micros"] == 0

        library = _body(await client.call_tool("list_assets", {}))
        assert {item["id"] for item in library["items"]} == {
            asset["id"],
            smaller["assets"][0]["id"],
        }
        found = _body(await client.call_tool("search_assets", {"query": "red fox"}))
        assert {item["id"] for item in found["items"]} == {item["id"] for item in library["items"]}
        assert _body(await client.call_tool("search_assets", {"query": "boat"}))["items"] == []
        shown_bobs = await client.call_tool("get_asset", {"asset_id": bobs_asset})
        assert _problem(shown_bobs) == "/problems/asset-not-found"
        edit_bobs = {"image": {"asset_id": bobs_asset}, "prompt": "paint it"}
        assert _problem(await client.call_tool("edit", edit_bobs)) == "/problems/asset-not-found"
        followed = await client.call_tool("get_operation", {"operation_id": bobs_operation})
        assert _problem(followed) == "/problems/operation-not-found"
        mine = _body(await client.call_tool("get_operation", {"operation_id": first["id"]}))
        assert mine["assets"][0]["id"] == asset["id"]


@pytest.mark.parametrize("nobody", ["nobody", ""])
def test_mcp_for_a_user_who_does_not_exist_exits_with_not_found(cli: Cli, nobody: str) -> None:
    """Refused before serving: an agent's client sees the process end, with the reason. An
    empty --user (an unset variable in the client's config) served as the default user."""
    done = cli.invoke("mcp", "--user", nobody)
    assert done.exit_code == 7, done.output
    assert f"unknown user {nobody!r}" in done.stderr and done.stdout == ""
