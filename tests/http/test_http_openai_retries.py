"""The `openai` client's own retries against the real server: a call it repeats after its read
timed out is joined to the operation already running, so one call is charged once, whatever the
route and answer format; a repeat of a call whose answer was sent runs anew."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import openai
import pytest
from http_support import png
from test_http_openai import Served, serving

PRICE = 20_000
"""offline_price_usd=0.02 in micros."""


def impatient(served: Served, user: str) -> openai.OpenAI:
    """A client that gives up reading before a slow operation ends, and retries twice."""
    return openai.OpenAI(
        base_url=served.api.base_url + "/v1",
        api_key=served.api.keys[user],
        max_retries=2,
        timeout=0.8,
    )


def generate(client: openai.OpenAI, response_format: Any) -> Any:
    return client.images.generate(
        prompt="a kite [offline:slow]", size="256x256", response_format=response_format
    )


def edit(client: openai.OpenAI, response_format: Any) -> Any:
    return client.images.edit(
        image=("in.png", png(), "image/png"),
        prompt="a kite [offline:slow]",
        response_format=response_format,
    )


CALLS: dict[str, tuple[str, Callable[[openai.OpenAI, Any], Any]]] = {
    "generations": ("/v1/images/generations", generate),
    "edits": ("/v1/images/edits", edit),
}


@pytest.mark.parametrize("response_format", ["url", "b64_json"])
@pytest.mark.parametrize("route", sorted(CALLS))
def test_a_call_the_client_retries_after_its_timeout_is_charged_once(
    tmp_path: Path, route: str, response_format: str
) -> None:
    path, call = CALLS[route]
    with serving(tmp_path, offline_slow_seconds=2.0, offline_price_usd="0.02") as served:
        # Up to four repeats: on a loaded machine the operation can outlast two more reads.
        answer = call(impatient(served, "alice").with_options(max_retries=4), response_format)
        ledger = served.ledger("alice")
        attempts = served.hits[path]

    assert attempts >= 2  # the client did time out and send the call again
    assert len(answer.data) == 1
    assert (answer.data[0].url is None) == (response_format == "b64_json")
    assert [(line.outcome.value, line.user_charge) for line in ledger] == [("succeeded", PRICE)]


def test_identical_calls_that_are_not_retries_each_run(tmp_path: Path) -> None:
    with serving(tmp_path, offline_slow_seconds=2.0, offline_price_usd="0.02") as served:
        client = impatient(served, "alice").with_options(max_retries=0)
        for _ in range(2):
            with pytest.raises(openai.APITimeoutError):
                generate(client, "url")
        patient = client.with_options(timeout=30)
        generate(patient, "url")
        generate(patient, "url")
        ledger = served.ledger("alice")

    assert served.hits["/v1/images/generations"] == 4
    assert [line.user_charge for line in ledger] == [PRICE] * 4


def test_a_retry_after_an_answered_failure_runs_again(tmp_path: Path) -> None:
    with serving(tmp_path, offline_price_usd="0.02") as served:
        client = impatient(served, "alice").with_options(timeout=30)
        with pytest.raises(openai.InternalServerError) as failed:
            client.images.generate(prompt="a kite [offline:fail]")
        ledger = served.ledger("alice")

    assert failed.value.status_code == 503
    assert served.hits["/v1/images/generations"] == 3  # released each time: worth retrying
    assert [(line.outcome.value, line.user_charge) for line in ledger] == [("failed", 0)] * 3


@pytest.mark.parametrize("route", sorted(CALLS))
def test_a_retry_with_the_callers_key_waits_for_the_first_attempt(
    tmp_path: Path, route: str
) -> None:
    """The client repeats the key with the call; "still running" used to be its final 409."""
    path, call = CALLS[route]
    with serving(tmp_path, offline_slow_seconds=2.0, offline_price_usd="0.02") as served:
        keyed = impatient(served, "alice").with_options(
            default_headers={"Idempotency-Key": f"poster-{route}"}
        )
        answer = call(keyed, "b64_json")
        ledger = served.ledger("alice")
        attempts = served.hits[path]

    assert attempts >= 2
    assert answer.data[0].b64_json
    assert [(line.outcome.value, line.user_charge) for line in ledger] == [("succeeded", PRICE)]


def _send_unread(served: Served, body: bytes) -> socket.socket:
    """A generate call sent on a raw connection whose answer is never read: a client stuck
    before its read time-out, still connected, so the server sees no disconnect."""
    address = urlsplit(served.api.base_url)
    connection = socket.create_connection((address.hostname, address.port))
    head = (
        f"POST /v1/images/generations HTTP/1.1\r\nHost: {address.netloc}\r\n"
        f"Authorization: Bearer {served.api.keys['alice']}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    connection.sendall(head.encode() + body)
    return connection


def test_a_repeat_of_a_call_that_ended_as_its_client_gave_up_replays_it(tmp_path: Path) -> None:
    """The first attempt's operation ends while its client is still connected but no longer
    reading; the client then gives up and repeats the call. The server never saw it leave, so
    the repeat must still join that operation: it used to run a second one and charge twice."""
    body = json.dumps(
        {"prompt": "a kite [offline:slow]", "size": "256x256", "response_format": "b64_json"}
    ).encode()
    with serving(tmp_path, offline_slow_seconds=1.0, offline_price_usd="0.02") as served:
        stuck = _send_unread(served, body)
        deadline = time.monotonic() + 30
        while not served.ledger("alice") and time.monotonic() < deadline:
            time.sleep(0.05)  # until the first attempt's operation is settled
        stuck.close()
        with httpx.Client(base_url=served.api.base_url, timeout=30) as client:
            repeat = client.post(
                "/v1/images/generations",
                content=body,
                headers={
                    "Authorization": f"Bearer {served.api.keys['alice']}",
                    "Content-Type": "application/json",
                    "x-stainless-retry-count": "1",
                },
            )
        ledger = served.ledger("alice")

    assert repeat.status_code == 200, repeat.text
    assert repeat.json()["data"][0]["b64_json"]
    assert [(line.outcome.value, line.user_charge) for line in ledger] == [("succeeded", PRICE)]
