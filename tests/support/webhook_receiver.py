"""A webhook receiver on loopback (real HTTP, a thread): it keeps every request it gets and
answers each with the next status of its script (200 once the script is used up)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import standardwebhooks


@dataclass(frozen=True, slots=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    port: int
    received: list[Received] = field(default_factory=list)
    script: list[int] = field(default_factory=list)
    """Statuses to answer with, in turn; then 200."""
    location: str | None = None
    """Sent with a 3xx."""

    def wait_for(self, count: int, seconds: float = 10) -> list[Received]:
        """The first `count` requests, once they have come (bounded: fails after `seconds`)."""
        deadline = time.monotonic() + seconds
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"{len(self.received)} of {count} webhooks came"
            time.sleep(0.02)
        return self.received[:count]


def verified(secret: str, received: Received) -> object:
    """The payload, verified with the Standard Webhooks reference library (raises if not)."""
    return standardwebhooks.Webhook(secret).verify(received.body, received.headers)


@contextmanager
def receiving() -> Iterator[Receiver]:
    receiver = Receiver(url="", port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            receiver.received.append(Received(self.path, headers, body))
            status = receiver.script.pop(0) if receiver.script else 200
            self.send_response(status)
            if 300 <= status < 400 and receiver.location:
                self.send_header("location", receiver.location)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: ARG002 - quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    receiver.url = f"http://127.0.0.1:{receiver.port}/hooks"
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="webhook-receiver", daemon=True
    )
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
