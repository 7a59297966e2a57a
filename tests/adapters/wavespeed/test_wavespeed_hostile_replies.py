"""Replies no careful server sends, wherever WaveSpeed (or its CDN) sends them: one that drips a
byte at a time (it never times out a read, yet the operation's deadline holds), a body its
content-encoding does not decode, a redirect loop. Each ends as a typed outcome, never raised."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from wavespeed_scripted_server import TASK_ID, ScriptedWaveSpeed, envelope, prediction
from wavespeed_test_support import RecordingReport, StubServer, job, settings

from imagestudio.adapters.wavespeed.client import new_client
from imagestudio.adapters.wavespeed.provider import WaveSpeedProvider
from imagestudio.application.ports.provider import SubmitUnknown, TaskPending
from imagestudio.domain.errors import ProviderFailed

DEADLINE = 1.5
DRIP_EVERY = 0.2
"""Well inside every per-read timeout: each byte resets httpx's read clock."""


def dripping(_: Request) -> Response:
    async def bytes_slowly() -> AsyncIterator[bytes]:
        for _ in range(300):
            yield b" "
            await asyncio.sleep(DRIP_EVERY)

    return StreamingResponse(bytes_slowly(), media_type="application/json")


def drip_on_submit(script: ScriptedWaveSpeed) -> None:
    script.submit = dripping


def drip_on_poll(script: ScriptedWaveSpeed) -> None:
    script.polls.append(dripping)


def drip_on_download(script: ScriptedWaveSpeed) -> None:
    script.polls.append(lambda _: envelope(prediction("completed", [script.file_url()])))
    script.downloads.append(dripping)


WHERE: dict[str, Callable[[ScriptedWaveSpeed], None]] = {
    "submit": drip_on_submit,
    "poll": drip_on_poll,
    "download": drip_on_download,
}


@pytest.fixture(scope="module")
def serving() -> Iterator[ScriptedWaveSpeed]:
    script = ScriptedWaveSpeed()
    with StubServer(script.app()) as server:
        script.base_url = server.base_url
        yield script


@pytest.fixture
def scripted(serving: ScriptedWaveSpeed) -> ScriptedWaveSpeed:
    serving.reset()
    return serving


def provider(client: httpx.AsyncClient, base_url: str) -> WaveSpeedProvider:
    return WaveSpeedProvider(
        settings(base_url, task_deadline=DEADLINE, submit_timeout=5.0, download_timeout=5.0),
        client,
    )


@pytest.mark.parametrize("where", sorted(WHERE))
async def test_a_dripping_reply_ends_as_unknown_by_the_deadline(
    scripted: ScriptedWaveSpeed, where: str
) -> None:
    WHERE[where](scripted)
    async with new_client(settings(scripted.base_url)) as client:
        started = time.monotonic()
        outcome = await provider(client, scripted.base_url).run(
            job("wavespeed/qwen-image"), RecordingReport()
        )
        took = time.monotonic() - started

    assert isinstance(outcome, SubmitUnknown), outcome
    assert took < DEADLINE + 1.5, f"a drip on the {where} held the run {took:.1f} s"
    assert len(scripted.submitted) == 1


@pytest.mark.parametrize("where", ["poll", "download"])
async def test_a_lookup_through_a_dripping_reply_asks_later_by_the_deadline(
    scripted: ScriptedWaveSpeed, where: str
) -> None:
    WHERE[where](scripted)
    async with new_client(settings(scripted.base_url)) as client:
        started = time.monotonic()
        found = await provider(client, scripted.base_url).lookup(
            job("wavespeed/qwen-image"), "0123456789abcdef0123456789abcdef"
        )
        took = time.monotonic() - started

    assert isinstance(found, TaskPending)
    assert took < DEADLINE + 1.5, f"a drip on the {where} held the lookup {took:.1f} s"


def undecodable(_: Request) -> Response:
    headers = {"content-encoding": "gzip", "content-type": "application/json"}
    return Response(b"not gzip at all", headers=headers)


HOSTILE: dict[str, Callable[[ScriptedWaveSpeed], Callable[[Request], Response]]] = {
    "undecodable": lambda _: undecodable,
    "a redirect loop": lambda script: lambda _: RedirectResponse(script.file_url(), 302),
}


def hostile_on(script: ScriptedWaveSpeed, where: str, reply: Callable[[Request], Response]) -> None:
    if where == "submit":
        script.submit = reply
    elif where == "poll":
        script.polls.append(reply)
    else:
        script.polls.append(lambda _: envelope(prediction("completed", [script.file_url()])))
        script.downloads.append(reply)


@pytest.mark.parametrize("what", sorted(HOSTILE))
@pytest.mark.parametrize("where", sorted(WHERE))
async def test_an_unusable_reply_is_an_unknown_outcome_never_an_exception(
    scripted: ScriptedWaveSpeed, where: str, what: str
) -> None:
    hostile_on(scripted, where, HOSTILE[what](scripted))
    async with new_client(settings(scripted.base_url)) as client:
        chosen = provider(client, scripted.base_url)
        outcome = await chosen.run(job("wavespeed/qwen-image"), RecordingReport())
        found = await chosen.lookup(job("wavespeed/qwen-image"), TASK_ID)

    if (where, what) == ("submit", "a redirect loop"):  # never followed: nothing was done
        assert isinstance(outcome, ProviderFailed), outcome
    else:
        assert isinstance(outcome, SubmitUnknown), outcome
    assert len(scripted.submitted) == 1
    if where != "submit":  # a lookup reads the poll and the download, never the submit
        assert found == TaskPending(TASK_ID)
