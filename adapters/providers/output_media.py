"""What a provider's output bytes are: their own signature first, then what the reply says.

A reply's content type is a claim: a CDN serving `application/octet-stream`, a provider naming
`image/jpg` or answering in a format other than the one asked for. An artifact stored under the
wrong type is served with a wrong extension and content type for as long as it is kept.
"""

from __future__ import annotations

from imagestudio.domain.media import MediaType, sniff

_ALIASES = {"image/jpg": MediaType.JPEG, "model/gltf+binary": MediaType.GLB}


def media_type_of(data: bytes, declared: str | None, fallback: MediaType) -> MediaType:
    """What the bytes are: their signature first, then the declared type, then the model's."""
    found = sniff(data)
    if found is not None:
        return found
    name = (declared or "").split(";")[0].strip().lower()
    if name in _ALIASES:
        return _ALIASES[name]
    try:
        return MediaType(name)
    except ValueError:
        return fallback


def makes(output: MediaType, found: MediaType) -> bool:
    """Whether a model whose output is `output` may answer `found`: an image model any image
    format (asked for or not), any other model its own type only (a GLB, an MP4)."""
    return found is output or (found.is_image and output.is_image)


_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
_JPEG_END = b"\xff\xd9"


def cut_short(data: bytes, media_type: MediaType) -> bool:
    """Whether an image's bytes plainly stop before its end: a PNG without its closing IEND
    chunk, a JPEG without its end-of-image marker, a WebP shorter than its RIFF header says.

    A body cut short with an honest length (a CDN's, a proxy's) still has a readable header, so
    reading the size alone takes it for a whole image. This is the cheap check, on the bytes'
    ends, not a decode: enough for a body cut anywhere but inside its last few bytes.
    """
    if media_type is MediaType.PNG:
        return not data.endswith(_PNG_END)
    if media_type is MediaType.JPEG:
        return not data.rstrip(b"\0\r\n ").endswith(_JPEG_END)
    if media_type is MediaType.WEBP:
        declared = int.from_bytes(data[4:8], "little") + 8
        return len(data) < declared
    return False
