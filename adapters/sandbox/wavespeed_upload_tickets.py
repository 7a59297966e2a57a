"""The two-step upload of WaveSpeed's Python SDK 2.x (contract §1.6).

`POST /api/v3/media/uploads` with `{filename, size, content_type}` answers a ticket: where the
file will be served (`download_url`) and how to send it (`upload: {method: "PUT", url,
headers}`). The PUT of the bytes to that URL needs no key, like the presigned URL of the real
storage; it must carry the size and the kind of file the ticket announced, and a ticket takes
one file. Until the PUT, `download_url` answers 404.
"""

from __future__ import annotations

import mimetypes
import threading
import uuid
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from imagestudio.adapters.sandbox.hosted_files import HostedFiles
from imagestudio.adapters.sandbox.wavespeed_fields import BadRequest, Body
from imagestudio.adapters.sandbox.wavespeed_uploads import sniffed
from imagestudio.domain.media import MediaType

TICKETS_PATH = "/_emu/uploads"
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
"""The SDK's own limit for one file."""
_UPLOADABLE = {MediaType.PNG, MediaType.JPEG, MediaType.WEBP, MediaType.MP4}


@dataclass(frozen=True, slots=True)
class Ticket:
    name: str
    """The hosted file's name: `download_url` ends with it."""
    size: int
    media_type: MediaType


class UploadTickets:
    def __init__(self, files: HostedFiles) -> None:
        self._files = files
        self._open: dict[str, Ticket] = {}
        self._lock = threading.Lock()

    def issue(self, body: Body, base_url: str) -> dict[str, object]:
        """The ticket's `data` for a request body; raises BadRequest for one it cannot take."""
        filename, size = body.get("filename"), body.get("size")
        if not isinstance(filename, str) or not filename.strip():
            raise BadRequest("filename is required")
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            raise BadRequest("size must be a positive integer (bytes)")
        if size > MAX_UPLOAD_BYTES:
            raise BadRequest(f"size {size} is over the {MAX_UPLOAD_BYTES} byte limit")
        media_type = _announced(body.get("content_type"), filename)
        ticket = Ticket(name=self._files.new_name(media_type), size=size, media_type=media_type)
        token = uuid.uuid4().hex
        with self._lock:
            self._open[token] = ticket
        return {
            "download_url": f"{base_url}{self._files.path_of(ticket.name)}",
            "filename": filename,
            "size": size,
            "upload": {
                "method": "PUT",
                "url": f"{base_url}{TICKETS_PATH}/{token}",
                "headers": {"Content-Type": media_type.value},
            },
        }

    async def receive(self, request: Request) -> Response:
        """The PUT of a ticket's bytes: 200 once they are kept, a plain-text error otherwise."""
        with self._lock:
            ticket = self._open.pop(request.path_params["token"], None)
        if ticket is None:
            return _plain(404, "no such upload: the ticket was used already or never issued")
        data = await _at_most(request, ticket.size)
        if len(data) != ticket.size:
            with self._lock:  # the client may send the right bytes again
                self._open[request.path_params["token"]] = ticket
            return _plain(400, f"the ticket announced {ticket.size} bytes; {len(data)} came")
        try:
            media_type, _ = sniffed(data)
        except BadRequest as bad:
            return _plain(400, bad.message)
        if media_type is not ticket.media_type:
            return _plain(400, f"the ticket announced {ticket.media_type}; this is {media_type}")
        self._files.put_named(ticket.name, data, media_type)
        return Response(status_code=200)


def _announced(content_type: object, filename: str) -> MediaType:
    """The kind of file a ticket is for: its `content_type`, else its filename's extension."""
    if content_type is None:
        content_type = mimetypes.guess_type(filename)[0]
        if content_type is None:
            raise BadRequest("content_type is required when the filename has no known extension")
    if not isinstance(content_type, str):
        raise BadRequest("content_type must be a string")
    for media_type in _UPLOADABLE:
        if content_type.split(";")[0].strip().lower() == media_type.value:
            return media_type
    raise BadRequest(f"content_type {content_type!r} is not a PNG, JPEG or WebP image or an MP4")


async def _at_most(request: Request, size: int) -> bytes:
    """The body, but never more than one byte past `size` (enough to tell it is too long)."""
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > size:
            break
    return bytes(received)


def _plain(status: int, message: str) -> Response:
    return Response(message, status_code=status, media_type="text/plain")
