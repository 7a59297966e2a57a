"""Which WaveSpeed refusal is which domain error (and so whether another provider may be tried)."""

from __future__ import annotations

import httpx
import pytest

from imagestudio.adapters.wavespeed.errors import (
    kind_for_status,
    reply_message,
    submit_refusal,
    task_failure,
    without_secret,
)
from imagestudio.application.ports.provider import SubmitUnknown
from imagestudio.domain.errors import ProviderErrorKind, ProviderFailed

K = ProviderErrorKind


@pytest.mark.parametrize(
    ("status", "message", "kind"),
    [
        (400, "size must be between 256 and 1536", K.INVALID_INPUT),
        (413, "payload too large", K.INVALID_INPUT),
        (422, "prompt is required", K.INVALID_INPUT),
        (401, "Invalid signature", K.AUTH),
        (402, "Payment required", K.OUT_OF_CREDIT),
        (403, "Insufficient balance", K.OUT_OF_CREDIT),
        (403, "Your credit is used up", K.OUT_OF_CREDIT),
        (403, "Forbidden", K.MODERATION),
        (400, "Content policy violation", K.MODERATION),
        (422, "NSFW content detected", K.MODERATION),
        (404, "model not found", K.NOT_SUPPORTED),
        (429, "Too many requests", K.RATE_LIMITED),
        (500, "Internal error", K.UNAVAILABLE),
        (503, "Service unavailable", K.UNAVAILABLE),
    ],
)
def test_each_refusal_has_its_kind(status: int, message: str, kind: ProviderErrorKind) -> None:
    assert kind_for_status(status, message) is kind


def test_only_the_providers_own_trouble_may_be_tried_elsewhere() -> None:
    assert kind_for_status(503, "").may_try_elsewhere
    assert kind_for_status(429, "").may_try_elsewhere
    assert not kind_for_status(403, "Insufficient balance").may_try_elsewhere
    assert not kind_for_status(400, "bad size").may_try_elsewhere


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_server_or_gateway_error_on_submit_may_hide_a_task(status: int) -> None:
    refusal = submit_refusal(_reply(status, {"code": status, "message": "Bad gateway"}))

    assert refusal == SubmitUnknown(task_id=None, detail=f"HTTP {status} on submit: Bad gateway")


def test_a_503_on_submit_is_a_definite_failure() -> None:
    refusal = submit_refusal(_reply(503, {"code": 503, "message": "down"}))

    assert isinstance(refusal, ProviderFailed)
    assert refusal.kind is K.UNAVAILABLE


def test_the_envelopes_message_is_the_detail() -> None:
    reply = _reply(400, {"code": 400, "message": "size 9000*9000 is out of range"})

    assert reply_message(reply) == "size 9000*9000 is out of range"


def test_a_reply_that_is_not_an_envelope_still_gives_a_short_detail() -> None:
    reply = httpx.Response(502, text="<html>" + "x" * 1000 + "</html>")

    assert len(reply_message(reply)) <= 300


def test_a_failed_task_is_moderation_only_when_its_error_says_so() -> None:
    assert task_failure("Content flagged by the safety checker (nsfw)", "failed").kind is (
        K.MODERATION
    )
    assert task_failure("Internal error: GPU lost", "failed").kind is K.UNAVAILABLE
    assert task_failure("", "timeout").detail == "task timeout: the task ended timeout"


def test_a_secret_is_masked_wherever_it_appears() -> None:
    assert without_secret("bad header Bearer abc123 given", "abc123") == (
        "bad header Bearer [redacted] given"
    )


def _reply(status: int, body: object) -> httpx.Response:
    return httpx.Response(status, json=body, request=httpx.Request("POST", "http://x/api/v3/m"))
