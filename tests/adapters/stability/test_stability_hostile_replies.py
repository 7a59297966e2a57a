"""Replies no careful server sends: one that drips a byte at a time (it never times out a read,
yet the operation's deadline holds), a body its content-encoding does not decode. A submit or
result poll answered so ends the run as unknown, never re-sent, never an exception."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from stability_scripted_server import ScriptedStability, accepted_reply
from stability_test_support import (
    RecordingReport,
    image_input,
    job,
    provider_at,
    settings_for,
)
from starlette.responses import Response, StreamingResponse

from imagestudio.application.ports.provider import ProviderJob, SubmitUnknown, TaskPending

DEADLINE = 1.5
DRIP_EVERY = 0.2
"""Well inside the per-read timeout: each byte resets httpx's read clock."""
CORE = "/v2beta/stable-image/generate/core"
CREATIVE = "/v2beta/stable-image/upscale/creative"
TASK = "e" * 64
RESULT = f"/v2beta/results/{TASK}"


def dripping() -> Response:
    async def bytes_slowly() -> AsyncIterator[bytes]:
        for _ in range(300):
            yield b" "
            await asyncio.sleep(DRIP_EVERY)

    return StreamingResponse(bytes_slowly(), media_type="image/png")


def creative() -> ProviderJob:
    return job("upscale-creative", inputs=(image_input(),))


@pytest.mark.parametrize("where", ["sync submit", "async submit", "result poll"])
async def test_a_dripping_reply_ends_as_unknown_by_the_deadline(
    script: ScriptedStability, base_url: str, where: str
) -> None:
    if where == "sync submit":
        script.on("POST", CORE, dripping)
    elif where == "async submit":
        script.on("POST", CREATIVE, dripping)
    else:
        script.on("POST", CREATIVE, accepted_reply(TASK))
        script.on("GET", RESULT, dripping)
    chosen = job("generate-core") if where == "sync submit" else creative()
    settings = settings_for(base_url, task_deadline=DEADLINE, request_timeout=5.0)
    async with provider_at(settings) as provider:
        started = time.monotonic()
        outcome = await provider.run(chosen, RecordingReport())
        took = time.monotonic() - started

    assert isinstance(outcome, SubmitUnknown), outcome
    assert took < DEADLINE + 1.5, f"a drip on the {where} held the run {took:.1f} s"
    assert len([s for s in script.seen if s.method == "POST"]) == 1


async def test_a_lookup_through_a_dripping_result_asks_later_in_time(
    script: ScriptedStability, base_url: str
) -> None:
    script.on("GET", RESULT, dripping)
    async with provider_at(settings_for(base_url, request_timeout=DEADLINE)) as provider:
        started = time.monotonic()
        found = await provider.lookup(creative(), TASK)
        took = time.monotonic() - started

    assert isinstance(found, TaskPending)
    assert took < DEADLINE + 1.5, f"a drip held the lookup {took:.1f} s"


def undecodable() -> Response:
    headers = {"content-encoding": "gzip", "content-type": "image/png"}
    return Response(b"not gzip at all", headers=headers)


@pytest.mark.parametrize("where", ["sync submit", "async submit", "result poll"])
async def test_an_undecodable_reply_is_unknown_never_an_exception(
    script: ScriptedStability, base_url: str, where: str
) -> None:
    if where == "sync submit":
        script.on("POST", CORE, undecodable)
    elif where == "async submit":
        script.on("POST", CREATIVE, undecodable)
    else:
        script.on("POST", CREATIVE, accepted_reply(TASK))
        script.on("GET", RESULT, undecodable)
    chosen = job("generate-core") if where == "sync submit" else creative()
    async with provider_at(settings_for(base_url, task_deadline=DEADLINE)) as provider:
        outcome = await provider.run(chosen, RecordingReport())
        found = await provider.lookup(creative(), TASK)

    assert isinstance(outcome, SubmitUnknown), outcome
    assert len([s for s in script.seen if s.method == "POST"]) == 1
    if where == "result poll":  # a lookup reads the result, never the submit
        assert isinstance(found, TaskPending)
