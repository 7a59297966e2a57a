"""A cursor is opaque, but a caller can forge one: each listing that takes one (every route of
the OpenAPI document with a `cursor` parameter, and every MCP tool with a `cursor` argument)
refuses a forged cursor naming an id no listing gives out as 422 `cursor`, on PostgreSQL too,
which cannot even compare text holding a NUL (it was a 500 there)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from http_support import Api, migrated, serving
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import TextContent

FORGED_IDS = ["ast_1\x00", "op\x00", "\x00", "msg_\x07", "adj_\n"]


def forged(item_id: str) -> str:
    plain = f"2026-01-01T00:00:00+00:00|{item_id}".encode()
    return base64.urlsafe_b64encode(plain).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, postgres_server: Any) -> Iterator[Api]:
    tmp_path: Path = tmp_path_factory.mktemp("cursors")
    url = postgres_server.create_database("forged_cursors")
    with serving(tmp_path, **migrated(url, tmp_path)) as served:
        yield served


def listings(api: Api) -> list[str]:
    with api.client() as anonymous:
        document = anonymous.get("/openapi.json").json()
    found = [
        path
        for path, operations in document["paths"].items()
        if any(p["name"] == "cursor" for p in operations.get("get", {}).get("parameters", []))
    ]
    assert len(found) >= 4, found
    return found


@pytest.mark.parametrize("item_id", FORGED_IDS)
def test_every_listing_refuses_a_forged_cursor_as_422(api: Api, item_id: str) -> None:
    for path in listings(api):
        with api.client("alice") as alice:
            answer = alice.get(path, params={"cursor": forged(item_id)})
        assert answer.status_code == 422, (path, answer.text)
        assert answer.json()["field"] == "cursor", (path, answer.text)


async def test_every_mcp_tool_refuses_a_forged_cursor(api: Api) -> None:
    headers = {"Authorization": f"Bearer {api.keys['alice']}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=30) as http,
        Client(streamable_http_client(f"{api.base_url}/mcp", http_client=http)) as agent,
    ):
        tools = [
            tool
            for tool in (await agent.list_tools()).tools
            if "cursor" in tool.input_schema["properties"]
        ]
        assert len(tools) >= 2
        for tool in tools:
            for item_id in FORGED_IDS:
                arguments = {"cursor": forged(item_id)}
                if "query" in tool.input_schema["properties"]:
                    arguments["query"] = "fox"
                answer = await agent.call_tool(tool.name, arguments)
                [text] = answer.content
                assert answer.is_error and isinstance(text, TextContent), (tool.name, answer)
                problem = json.loads(text.text.splitlines()[-1])
                assert (problem["status"], problem["field"]) == (422, "cursor"), text.text
