"""No log line, at any level and from any logger, holds a webhook's secrets: the owner's
`whsec_` secret, an attempt's signature, or the token a receiver's URL carries in its path or
query (where chat and automation services put theirs), whatever the receiver answers."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.webhook_receiver import receiving

from imagestudio.entrypoints.api import GenerateRequest, ImageStudio, WebhookSubscription
from imagestudio.entrypoints.settings import Profile

TOKEN = "T0PSECRETPATH"
QUERY = "Q0PSECRETQUERY"
SECRET_PATH = f"/hooks/{TOKEN}?token={QUERY}"


class MovableClock:
    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.ahead


async def test_no_log_line_holds_a_webhook_secret(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    clock = MovableClock()
    studio = await ImageStudio.connect(
        adapters={"clock": clock},
        profile=Profile.TEST,
        data_dir=tmp_path,
        public_url="https://images.example.com",
        webhook_allow_http=True,
        webhook_allow_private=True,
    )
    try:
        with receiving() as receiver:
            receiver.script = [500, 302, 404]
            receiver.location = "http://169.254.169.254/"
            base = receiver.url.removesuffix("/hooks")
            dead = f"http://127.0.0.1:{_closed_port()}"
            for url in (base, dead):
                subscription = WebhookSubscription(url=url + SECRET_PATH)
                request = GenerateRequest(user_id="local", prompt="a fox", webhook=subscription)
                (await studio.generate.execute(request)).unwrap()
            worker = studio.container.deliver_webhooks()
            for _ in range(4):  # 500, 302, 404 and then 200; the dead one fails each time
                await worker.execute()
                clock.ahead += timedelta(hours=1)
            received = receiver.wait_for(4)
        secret = await studio.webhook_secrets.secret_for("local")
    finally:
        await studio.aclose()

    assert [got.path for got in received] == [SECRET_PATH] * 4
    needles = [secret, secret.removeprefix("whsec_"), TOKEN, QUERY]
    needles += [got.headers["webhook-signature"].removeprefix("v1,") for got in received]
    records = caplog.records
    assert any(record.name.startswith("httpcore") for record in records)  # the sends logged
    for record in records:
        text = record.getMessage() + (caplog.handler.format(record) if record.exc_info else "")
        for needle in needles:
            assert needle not in text, (record.name, text)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
