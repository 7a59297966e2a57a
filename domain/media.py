"""Media types an operation takes in and gives back."""

from __future__ import annotations

from enum import StrEnum

from imagestudio.domain.errors.echo import echoed


class MediaType(StrEnum):
    PNG = "image/png"
    JPEG = "image/jpeg"
    WEBP = "image/webp"
    AVIF = "image/avif"
    GLB = "model/gltf-binary"
    MP4 = "video/mp4"

    @property
    def extension(self) -> str:
        return _EXTENSIONS[self]

    @property
    def is_image(self) -> bool:
        return self in (MediaType.PNG, MediaType.JPEG, MediaType.WEBP, MediaType.AVIF)

    @classmethod
    def from_extension(cls, extension: str) -> MediaType:
        wanted = extension.lower().lstrip(".")
        wanted = "jpg" if wanted == "jpeg" else wanted
        for media, ext in _EXTENSIONS.items():
            if ext == wanted:
                return media
        raise ValueError(f"unknown media extension: {echoed(extension)}")


def sniff(data: bytes) -> MediaType | None:
    """What the bytes say they are, by their leading signature; None when none is known."""
    for offset, signature, media_type in _SIGNATURES:
        if data[offset : offset + len(signature)] == signature:
            return media_type
    return None


# ISO media files (MP4, AVIF) share `ftyp` at offset 4; the brand after it tells them apart, so
# the AVIF brands come first.
_SIGNATURES = (
    (0, b"\x89PNG\r\n\x1a\n", MediaType.PNG),
    (0, b"\xff\xd8\xff", MediaType.JPEG),
    (8, b"WEBP", MediaType.WEBP),
    (4, b"ftypavif", MediaType.AVIF),
    (4, b"ftypavis", MediaType.AVIF),
    (0, b"glTF", MediaType.GLB),
    (4, b"ftyp", MediaType.MP4),
)
_EXTENSIONS = {
    MediaType.PNG: "png",
    MediaType.JPEG: "jpg",
    MediaType.WEBP: "webp",
    MediaType.AVIF: "avif",
    MediaType.GLB: "glb",
    MediaType.MP4: "mp4",
}
