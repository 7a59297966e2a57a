"""One studio used from one event loop after another, as the CLI does (each step its own
`asyncio.run`) and as a script may: the real providers' pooled connections of a closed loop are
never used again, so a request that never left is not held as an unknown outcome, and closing
from yet another loop closes cleanly. Found from outside: the second `asyncio.run` of a
WaveSpeed `generate` through the sandbox ended "left unknown for reconciliation: RuntimeError:
Event loop is closed", its price held, and `aclose()` then raised the same error."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from imagestudio.adapters.providers.loop_pools import PoolPerLoop
from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.entrypoints.api import GenerateRequest, ImageStudio, Profile


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with RunningSandbox() as running:
        yield running


@pytest.mark.parametrize("model", ["wavespeed/flux-dev", "stability/generate-core"])
def test_a_studio_used_from_loop_after_loop_charges_each_run_and_holds_nothing(
    sandbox: RunningSandbox, tmp_path: Path, model: str
) -> None:
    before = set(threading.enumerate())  # other tests' threads are not this one's
    studio = asyncio.run(
        ImageStudio.connect(
            profile=Profile.SANDBOX,
            data_dir=tmp_path,
            sandbox_url=sandbox.base_url,
            signing_key="k" * 32,
        )
    )
    request = GenerateRequest(user_id="local", prompt="a kite", model_id=model)
    charged = [asyncio.run(studio.generate.execute(request)).unwrap().charged for _ in range(3)]

    usage = asyncio.run(studio.usage.execute("local")).unwrap()
    spend = next(row for row in usage.rows if row.name == "spend")
    assert (spend.used, spend.held) == (sum(charged), 0)
    assert all(charged)
    asyncio.run(studio.aclose())  # a third loop: nothing of the closed ones is touched
    for thread in set(threading.enumerate()) - before:
        if thread.name.startswith("imagestudio"):
            thread.join(timeout=10)  # its pool was shut down without waiting
            assert not thread.is_alive(), thread.name


async def _answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, text=request.url.path)


def test_each_loop_gets_its_own_pool_and_closing_closes_the_callers() -> None:
    made: list[httpx.AsyncBaseTransport] = []

    def make() -> httpx.AsyncBaseTransport:
        made.append(httpx.MockTransport(_answer))
        return made[-1]

    client = httpx.AsyncClient(transport=PoolPerLoop(make), base_url="http://provider.test")

    async def twice() -> None:
        await client.get("/a")
        await client.get("/b")

    asyncio.run(twice())
    asyncio.run(twice())
    assert len(made) == 2  # one pool per loop, reused within it
    asyncio.run(client.aclose())
    assert client.is_closed
