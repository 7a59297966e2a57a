"""A paid MCP call the agent gives up on over streamable HTTP (it cancels the call: the official
client closes the call's POST, as the transport says a cancellation is), served for real on
loopback, while another agent's call runs beside it: the abandoned operation must not run on to
be charged for an answer nobody hears, and the other agent's must not notice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from http_support import ADMIN
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.entrypoints.http.app import create_app
from imagestudio.entrypoints.settings import Profile, Settings

SLOW = "a red fox [offline:slow]"
"""A prompt the offline provider works on for `offline_slow_seconds`."""
SLOW_SECONDS = 1.5
SETTLED = {"succeeded", "failed", "cancelled", "abandoned", "unknown"}
"""Where an operation stops moving by itself (`unknown` waits for reconciliation)."""


@dataclass
class Served:
    root: str
    keys: dict[str, str]

    def http(self, user: str) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {self.keys[user]}"}
        return httpx.AsyncClient(base_url=self.root, headers=headers, timeout=30)

    @asynccontextmanager
    async def agent(self, user: str) -> AsyncIterator[Client]:
        headers = {"Authorization": f"Bearer {self.keys[user]}"}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=30) as http,
            Client(streamable_http_client(f"{self.root}/mcp", http_client=http)) as agent,
        ):
            yield agent


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    settings = Settings(
        profile=Profile.TEST,
        admin_key=ADMIN,
        offline_price_usd="0.02",
        offline_slow_seconds=SLOW_SECONDS,
        http_wait_seconds=30,  # a paid call waits for its run: the agent is there to cancel it
    )
    with ServedApp(create_app(settings), lifespan="on", name="mcp-cancelled") as app:
        keys = {}
        with httpx.Client(base_url=app.base_url, headers={"Authorization": f"Bearer {ADMIN}"}) as c:
            for user in ("alice", "bob"):
                made = c.post("/v1/admin/users", json={"user_id": user, "plan": "pro"})
                assert made.status_code == 201, made.text
                keys[user] = made.json()["api_key"]
        yield Served(app.base_url, keys)


async def _operations(served: Served, user: str) -> list[dict[str, Any]]:
    """The user's operations once none of them moves any more."""
    async with served.http(user) as client:
        for _ in range(200):
            items: list[dict[str, Any]] = (await client.get("/v1/operations")).json()["items"]
            if items and all(item["status"] in SETTLED for item in items):
                return items
            await asyncio.sleep(0.05)
    raise AssertionError(f"{user}'s operations never settled: {items}")


async def _spent(served: Served, user: str) -> tuple[Any, ...]:
    async with served.http(user) as client:
        usage = (await client.get("/v1/usage")).json()
        assets = (await client.get("/v1/assets")).json()["items"]
    [spend] = [row for row in usage["rows"] if row["name"] == "spend"]
    return spend["used"], len(assets)


async def test_a_paid_call_the_agent_cancels_is_not_charged_and_spares_the_other_agents_call(
    served: Served,
) -> None:
    async def alices_run() -> dict[str, Any]:
        async with served.agent("alice") as agent:
            done = await agent.call_tool("generate", {"prompt": SLOW, "idempotency_key": "a1"})
            assert not done.is_error, done.content
            assert isinstance(done.structured_content, dict)
            return done.structured_content

    alices = asyncio.create_task(alices_run())
    async with served.agent("bob") as agent:
        with anyio.move_on_after(SLOW_SECONDS / 3) as waited:
            await agent.call_tool("generate", {"prompt": SLOW, "idempotency_key": "b1"})
        assert waited.cancelled_caught, "the call ended before the agent could cancel it"

        [abandoned] = await _operations(served, "bob")
        # Cancelled once sent, it waits for reconciliation, holding (never charging) the price.
        assert abandoned["status"] in {"cancelled", "unknown"}, abandoned
        assert (abandoned["charged_micros"], abandoned["asset_ids"]) == (0, []), abandoned
        assert await _spent(served, "bob") == ("$0.00", 0)
        # Retrying with the same key never runs (nor charges) the request a second time.
        again = await agent.call_tool("generate", {"prompt": SLOW, "idempotency_key": "b1"})
        assert again.is_error and "idempotency" in str(again.content), again.content
        assert [op["id"] for op in await _operations(served, "bob")] == [abandoned["id"]]

    alice = await alices
    assert (alice["status"], alice["charged_usd"]) == ("succeeded", "$0.02"), alice
    assert await _spent(served, "alice") == ("$0.02", 1)
