"""Media uploads (contract §1.6): a multipart `file` kept by the sandbox and served by URL."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image
from starlette.datastructures import UploadFile
from starlette.requests import Request

from imagestudio.adapters.sandbox.hosted_files import HostedFiles
from imagestudio.adapters.sandbox.wavespeed_fields import BadRequest
from imagestudio.domain.media import MediaType

_IMAGE_FORMATS = {"PNG": MediaType.PNG, "JPEG": MediaType.JPEG, "WEBP": MediaType.WEBP}


@dataclass(frozen=True, slots=True)
class Upload:
    url: str
    type: str
    """"image" or "video", as WaveSpeed reports it."""
    filename: str
    size: int


async def receive_upload(request: Request, files: HostedFiles, base_url: str) -> Upload:
    """Keep the request's `file` part; raises BadRequest for a missing or unusable file."""
    try:
        form = await request.form()
    except Exception as error:  # a malformed multipart body is the client's mistake
        raise BadRequest(f"the body must be multipart/form-data: {error}") from None
    part = form.get("file")
    if not isinstance(part, UploadFile):
        raise BadRequest("file is required")
    data = await part.read()
    if not data:
        raise BadRequest("file is empty")
    media_type, kind = sniffed(data)
    url = base_url + files.put(data, media_type)
    return Upload(
        url=url, type=kind, filename=part.filename or url.rsplit("/", 1)[-1], size=len(data)
    )


def sniffed(data: bytes) -> tuple[MediaType, str]:
    """What the bytes are (by their content, not their name) and WaveSpeed's word for it."""
    if data[4:8] == b"ftyp":
        return MediaType.MP4, "video"
    try:
        with Image.open(io.BytesIO(data)) as image:
            media_type = _IMAGE_FORMATS.get(image.format or "")
    except Exception:
        media_type = None
    if media_type is None:
        raise BadRequest("file must be a PNG, JPEG or WebP image or an MP4 video")
    return media_type, "image"
