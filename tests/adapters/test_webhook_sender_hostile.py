"""A receiver that misbehaves costs one bounded attempt, never a hung worker nor its memory:
each hostile answer below (real sockets on loopback) ends in a `Sent` within the sender's
deadline, and the body a receiver sends back is never read."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from imagestudio.adapters.webhooks.destinations import Destinations
from imagestudio.adapters.webhooks.sender import HttpWebhookSender

DEADLINE = 1.0
CHUNK = b"x" * 65536


def trickle(connection: socket.socket) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\n")
    while True:  # a header byte now and then: every read is quick, the answer never ends
        connection.sendall(b"X")
        time.sleep(0.1)


def endless_body(connection: socket.socket) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
    while True:
        connection.sendall(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))


def huge_length(connection: socket.socket) -> None:
    connection.sendall(b"HTTP/1.1 500 Oops\r\ncontent-length: 100000000000\r\n\r\n")
    while True:
        connection.sendall(CHUNK)


def silent(connection: socket.socket) -> None:  # noqa: ARG001 - it never answers
    time.sleep(DEADLINE * 5)


def hangs_up(connection: socket.socket) -> None:
    connection.close()


def garbage(connection: socket.socket) -> None:
    connection.sendall(b"this is not HTTP\r\n\r\n")


Answer = Callable[[socket.socket], None]
# What each hostile receiver should leave: the status it sent before misbehaving, or none.
HOSTILE: dict[str, tuple[Answer, int | None]] = {
    "a header trickled for ever": (trickle, None),
    "an endless chunked body": (endless_body, 200),
    "a 100 GB content-length": (huge_length, 500),
    "no answer at all": (silent, None),
    "a hang-up": (hangs_up, None),
    "garbage instead of HTTP": (garbage, None),
}


@contextmanager
def answering(answer: Answer) -> Iterator[str]:
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        try:
            connection, _ = server.accept()
            with connection:
                connection.recv(65536)
                answer(connection)
        except OSError:
            return  # the sender hung up: what a bounded sender does

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/hooks"
    finally:
        server.close()


@pytest.mark.parametrize("name", list(HOSTILE))
async def test_a_hostile_receiver_costs_one_bounded_attempt(name: str) -> None:
    answer, status = HOSTILE[name]
    sender = HttpWebhookSender(
        Destinations(allow_http=True, allow_private=True), deadline_seconds=DEADLINE
    )
    with answering(answer) as url:
        started = time.monotonic()
        sent = await asyncio.wait_for(sender.post(url, {"webhook-id": "msg_1"}, b"{}"), 10)
        took = time.monotonic() - started

    assert took < DEADLINE + 1
    assert sent.status_code == status
    assert (sent.error is None) == (status is not None), sent
