"""Completion webhooks end to end, in the library: an operation run with a webhook is delivered
to a receiver on loopback, signed with its owner's secret (checked with the Standard Webhooks
reference library); a 500 is retried with the same webhook-id; a process killed between the
settlement and the delivery leaves the delivery to the next process."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import standardwebhooks
from support.webhook_receiver import Receiver, receiving, verified

from imagestudio.domain.operation_event import OperationEventKind
from imagestudio.domain.webhook import DeliveryState
from imagestudio.entrypoints.api import (
    GenerateRequest,
    ImageInput,
    ImageStudio,
    ImageToVideoRequest,
    WebhookSubscription,
)
from imagestudio.entrypoints.settings import Profile

PUBLIC = "https://images.example.com"


class MovableClock:
    """The system's time, moved on by the test (a retry comes due without waiting)."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.ahead


def settings(tmp_path: Path, profile: Profile = Profile.TEST) -> dict[str, Any]:
    return {
        "profile": profile,
        "data_dir": tmp_path,
        "public_url": PUBLIC,
        "webhook_allow_http": True,
        "webhook_allow_private": True,
        "offline_price_usd": "0.04",
    }


@pytest.fixture
def receiver() -> Any:
    with receiving() as receiving_now:
        yield receiving_now


@pytest.fixture
async def studio(tmp_path: Path) -> AsyncIterator[tuple[ImageStudio, MovableClock]]:
    clock = MovableClock()
    built = await ImageStudio.connect(adapters={"clock": clock}, **settings(tmp_path))
    yield built, clock
    await built.aclose()


async def run(studio: ImageStudio, receiver: Receiver, **webhook: Any) -> str:
    subscription = WebhookSubscription(url=receiver.url, **webhook)
    outcome = await studio.generate.execute(
        GenerateRequest(user_id="local", prompt="a fox", webhook=subscription)
    )
    return outcome.unwrap().operation.id


async def test_a_settled_operation_is_delivered_signed_with_its_owners_secret(
    studio: tuple[ImageStudio, MovableClock], receiver: Receiver
) -> None:
    built, _ = studio
    operation_id = await run(built, receiver)

    assert (await built.container.deliver_webhooks().execute()).delivered == 1

    (got,) = receiver.wait_for(1)
    secret = await built.webhook_secrets.secret_for("local")
    payload: Any = verified(secret, got)
    assert payload["type"] == "operation.settled"
    data = payload["data"]
    assert (data["operation_id"], data["status"]) == (operation_id, "succeeded")
    assert (data["charged_micros"], data["charged_usd"]) == (40_000, "$0.04")
    (asset,) = data["assets"]
    assert asset["url"].startswith(f"{PUBLIC}/v1/signed-assets/")
    token = asset["url"].rsplit("/", 1)[1]
    granted = built.container.asset_links().verify(token)
    assert getattr(granted, "asset_id", None) == asset["id"]

    other = await built.webhook_secrets.secret_for("bob")
    assert other != secret and other.startswith("whsec_")
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        verified(other, got)  # another user can neither verify nor forge it
    again = await built.container.deliver_webhooks().execute()
    assert again.claimed == 0  # delivered once: nothing is due any more


async def test_every_event_asked_for_is_delivered_once(
    studio: tuple[ImageStudio, MovableClock], receiver: Receiver
) -> None:
    built, _ = studio
    await run(built, receiver, events=frozenset(OperationEventKind) - {OperationEventKind.PROGRESS})

    await built.container.deliver_webhooks().execute()

    kinds = sorted(json.loads(got.body)["type"] for got in receiver.wait_for(3))
    assert kinds == ["operation.accepted", "operation.sent", "operation.settled"]
    assert len({got.headers["webhook-id"] for got in receiver.received}) == 3


async def test_a_failed_attempt_is_retried_with_the_same_webhook_id(
    studio: tuple[ImageStudio, MovableClock], receiver: Receiver
) -> None:
    built, clock = studio
    receiver.script = [500]
    await run(built, receiver)
    worker = built.container.deliver_webhooks()

    assert (await worker.execute()).delivered == 0
    assert (await worker.execute()).claimed == 0  # backing off
    clock.ahead = timedelta(seconds=6)  # past the first delay, whatever its jitter
    assert (await worker.execute()).delivered == 1

    first, second = receiver.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    secret = await built.webhook_secrets.secret_for("local")
    verified(secret, first)
    verified(secret, second)
    (record,) = await built.container.webhook_deliveries().page("local", None, 10)
    assert record.delivery.state is DeliveryState.DELIVERED
    assert [attempt.status_code for attempt in record.attempts] == [500, 200]


CHILD = """
import asyncio, json, os, signal, sys
from imagestudio.entrypoints.api import GenerateRequest, ImageStudio, WebhookSubscription

async def main():
    studio = await ImageStudio.connect(**json.loads(sys.argv[1]))
    done = await studio.generate.execute(GenerateRequest(
        user_id="local", prompt="a fox", webhook=WebhookSubscription(url=sys.argv[2])))
    print(done.unwrap().operation.id, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # settled and committed, not yet delivered

asyncio.run(main())
"""


async def test_a_process_killed_after_settling_leaves_the_delivery_to_the_next(
    tmp_path: Path, receiver: Receiver
) -> None:
    chosen = settings(tmp_path, Profile.LOCAL)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        json.dumps(chosen, default=str),
        receiver.url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(child.communicate(), 60)
    assert child.returncode == -signal.SIGKILL, err.decode()
    operation_id = out.decode().strip()
    assert receiver.received == []

    after = await ImageStudio.connect(**chosen)
    try:
        assert (await after.container.deliver_webhooks().execute()).delivered == 1
        payload: Any = verified(
            await after.webhook_secrets.secret_for("local"), receiver.received[-1]
        )
        assert payload["data"]["operation_id"] == operation_id
    finally:
        await after.aclose()


async def test_every_kind_delivers_its_assets_as_the_api_describes_them(
    studio: tuple[ImageStudio, MovableClock], receiver: Receiver
) -> None:
    """A video's duration too: its receiver should not have to ask for it."""
    built, _ = studio
    picture = ImageInput(data=_png())
    hook = WebhookSubscription(url=receiver.url)
    runs = [
        built.generate.execute(GenerateRequest(user_id="local", prompt="a fox", webhook=hook)),
        built.to_video.execute(ImageToVideoRequest(user_id="local", image=picture, webhook=hook)),
    ]
    for run in runs:
        (await run).unwrap()
    await built.container.deliver_webhooks().execute()

    for got in receiver.wait_for(2):
        for asset in json.loads(got.body)["data"]["assets"]:
            stored = await built.container.assets().describe("local", asset["id"])
            assert stored is not None
            said = {name: asset[name] for name in ("width", "height", "duration_seconds")}
            kept = (stored.width, stored.height, stored.duration_seconds)
            assert tuple(said.values()) == kept
            assert (asset["duration_seconds"] is None) == (asset["media_type"] != "video/mp4")


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (512, 512), "red").save(buffer, "PNG")
    return buffer.getvalue()
