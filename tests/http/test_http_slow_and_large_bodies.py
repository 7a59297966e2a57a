"""A body that stops arriving is answered 408 after IMAGESTUDIO_HTTP_READ_SECONDS (a
`Content-Length` larger than what is sent once held the request for ever), and a body over the
limit is 413 however it comes (chunked, to a route FastAPI reads, it once answered 400)."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

from http_support import ADMIN, serving

READ_SECONDS = 0.5
LIMIT = 2_000


def raw_request(base_url: str, head: list[str], body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `head` and `body` as they are; the status, headers and body of the answer, read to
    the connection's end (the server must close it)."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as connection:
        connection.sendall(("\r\n".join([*head, "host: test"]) + "\r\n\r\n").encode() + body)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    top, _, content = answer.partition(b"\r\n\r\n")
    lines = top.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, content


def test_a_body_shorter_than_its_length_is_408_after_the_read_time_out(tmp_path: Path) -> None:
    with serving(tmp_path, http_read_seconds=READ_SECONDS) as api:
        alice = api.keys["alice"]
        answers = {}
        for path, key in (
            ("/v1/admin/users", ADMIN),  # read by FastAPI
            ("/v1/operations", alice),  # read by the route
            ("/v1/images/generations", alice),  # OpenAI's shape
        ):
            started = time.monotonic()
            answers[path] = (
                *raw_request(
                    api.base_url,
                    [
                        f"POST {path} HTTP/1.1",
                        f"authorization: Bearer {key}",
                        "content-type: application/json",
                        "content-length: 100",
                    ],
                    b'{"user_id": ',
                ),
                time.monotonic() - started,
            )
        with api.client("alice") as still:
            healthy = still.get("/healthz")

    for path, (status, headers, body, took) in answers.items():
        assert status == 408, (path, body)
        assert headers["connection"] == "close"
        assert READ_SECONDS <= took < READ_SECONDS + 10, took
        assert b"Content-Length" in body
    assert healthy.status_code == 200


def test_a_chunked_body_over_the_limit_is_413_on_every_kind_of_route(tmp_path: Path) -> None:
    chunk = json.dumps({"reason": "x" * 1_500}).encode()
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(2)) + b"0\r\n\r\n"
    with serving(tmp_path, http_max_request_bytes=LIMIT) as api:
        answers = {
            path: raw_request(
                api.base_url,
                [
                    f"POST {path} HTTP/1.1",
                    f"authorization: Bearer {key}",
                    "content-type: application/json",
                    "transfer-encoding: chunked",
                    "connection: close",
                ],
                chunked,
            )
            for path, key in (
                ("/v1/admin/adjustments", ADMIN),
                ("/v1/admin/users", ADMIN),
                ("/v1/quotes", api.keys["alice"]),
                ("/v1/operations", api.keys["alice"]),
            )
        }

    for path, (status, _, body) in answers.items():
        assert status == 413, (path, body)
        assert json.loads(body)["type"] == "/problems/invalid-input/too-large"
