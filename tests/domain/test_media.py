"""What bytes say they are, by their signature."""

from __future__ import annotations

import pytest

from imagestudio.domain.media import MediaType, sniff


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", MediaType.PNG),
        (b"\xff\xd8\xff\xe0\0\x10JFIF", MediaType.JPEG),
        (b"RIFF\x24\0\0\0WEBPVP8 ", MediaType.WEBP),
        (b"\0\0\0\x1cftypavif\0\0\0\0", MediaType.AVIF),
        (b"\0\0\0\x1cftypavis\0\0\0\0", MediaType.AVIF),
        (b"glTF\x02\0\0\0", MediaType.GLB),
        (b"\0\0\0\x18ftypisom\0\0\x02\0", MediaType.MP4),
        (b"\0\0\0\x20ftypmp42\0\0\0\0", MediaType.MP4),
    ],
)
def test_each_media_type_is_known_by_its_signature(data: bytes, media_type: MediaType) -> None:
    assert sniff(data) is media_type


@pytest.mark.parametrize("data", [b"", b"GIF89a", b"not a picture", b"\x89PN"])
def test_bytes_of_no_known_type_are_none(data: bytes) -> None:
    assert sniff(data) is None
