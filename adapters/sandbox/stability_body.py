"""Reading a v2beta request body: multipart only, at most 10 MiB (§2.1, §2.4)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import Message

from imagestudio.adapters.sandbox.stability_errors import TOO_LARGE, Refusal, bad_request

MAX_BODY_BYTES = 10 * 1024 * 1024
_MULTIPART = "multipart/form-data"


async def read_form(request: Request) -> FormData:
    """The request's multipart form; raises a 413 or 400 Refusal.

    The declared length is checked before a byte is read; a body sent without one is counted
    as it arrives and refused once it passes the limit.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise Refusal(413, "payload_too_large", TOO_LARGE)
    content_type = request.headers.get("content-type", "").strip()
    if not content_type:
        raise bad_request("content-type: required")
    if content_type.split(";")[0].strip().lower() != _MULTIPART:
        raise bad_request(f"content-type: must be {_MULTIPART}")
    body = await _capped_body(request)
    try:
        return await Request(request.scope, _replaying(body)).form()
    except (MultiPartException, HTTPException):
        raise bad_request(f"body: could not be parsed as {_MULTIPART}") from None


async def _capped_body(request: Request) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise Refusal(413, "payload_too_large", TOO_LARGE)
        chunks.append(chunk)
    return b"".join(chunks)


def _replaying(body: bytes) -> Callable[[], Awaitable[Message]]:
    """A `receive` that hands the already-read body to the form parser."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
