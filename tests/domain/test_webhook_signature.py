"""Our Standard Webhooks signatures verify with the reference library, and with no other
secret; the retry schedule backs off within its window."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
import standardwebhooks
from hypothesis import given
from hypothesis import strategies as st

from imagestudio.domain.operation_event import OperationEventKind
from imagestudio.domain.webhook import (
    LONGEST_DELAY,
    RETRY_WINDOW,
    WebhookDelivery,
    delivery_id,
    next_attempt_at,
)
from imagestudio.domain.webhook_signature import headers, secret_key, secret_text

SECRET = secret_text(bytes(range(32)))
OTHER = secret_text(bytes(range(1, 33)))


def test_a_signature_verifies_with_the_reference_library() -> None:
    now = int(datetime.now(UTC).timestamp())
    body = b'{"type":"operation.settled","data":{"operation_id":"op_1"}}'
    signed = headers(SECRET, "msg_1", now, body)

    payload = standardwebhooks.Webhook(SECRET).verify(body, signed)

    assert payload == {"type": "operation.settled", "data": {"operation_id": "op_1"}}
    assert signed["webhook-signature"].startswith("v1,")


@pytest.mark.parametrize("change", ["body", "id", "secret"])
def test_anything_changed_fails_verification(change: str) -> None:
    now = int(datetime.now(UTC).timestamp())
    body = b'{"a":1}'
    signed = headers(SECRET, "msg_1", now, body)
    secret = OTHER if change == "secret" else SECRET
    if change == "body":
        body = b'{"a":2}'
    if change == "id":
        signed["webhook-id"] = "msg_2"

    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(secret).verify(body, signed)


def test_a_secret_is_whsec_and_base64() -> None:
    assert SECRET.startswith("whsec_")
    assert secret_key(SECRET) == bytes(range(32))
    assert base64.b64decode(SECRET.removeprefix("whsec_")) == bytes(range(32))
    with pytest.raises(ValueError, match="whsec_"):
        secret_key("not-a-secret")


START = datetime(2026, 12, 1, tzinfo=UTC)
DELIVERY = WebhookDelivery(
    id=delivery_id("op_1", OperationEventKind.SETTLED, 0),
    user_id="ada",
    operation_id="op_1",
    event=OperationEventKind.SETTLED,
    url="https://hooks.example.com",
    created_at=START,
    next_attempt_at=START,
)


@given(
    attempts=st.integers(min_value=1, max_value=200),
    elapsed=st.integers(min_value=0, max_value=30 * 3600),
    jitter=st.floats(min_value=0, max_value=1),
)
def test_retries_back_off_and_stop_after_the_window(
    attempts: int, elapsed: int, jitter: float
) -> None:
    now = START + timedelta(seconds=elapsed)
    due = next_attempt_at(DELIVERY, attempts, now, jitter)
    full = min(timedelta(seconds=5) * 2 ** min(attempts - 1, 20), LONGEST_DELAY)
    if due is None:
        assert now + full / 2 > START + RETRY_WINDOW
        return
    assert now + full / 2 <= due <= now + full
    assert due <= START + RETRY_WINDOW


def test_the_first_retries_double() -> None:
    delays = [next_attempt_at(DELIVERY, n, START, 1.0) for n in (1, 2, 3, 4)]
    assert [d - START for d in delays if d] == [timedelta(seconds=s) for s in (5, 10, 20, 40)]


def test_ids_tell_events_and_occurrences_apart() -> None:
    ids = {
        delivery_id("op_1", kind, occurrence)
        for kind in OperationEventKind
        for occurrence in range(3)
    }
    assert len(ids) == len(OperationEventKind) * 3
    assert delivery_id("op_1", OperationEventKind.SENT, 1) == delivery_id(
        "op_1", OperationEventKind.SENT, 1
    )
