"""Media types an operation takes in and gives back."""

from __future__ import annotations

from enum import StrEnum


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
        raise ValueError(f"unknown media extension: {extension!r}")


_EXTENSIONS = {
    MediaType.PNG: "png",
    MediaType.JPEG: "jpg",
    MediaType.WEBP: "webp",
    MediaType.AVIF: "avif",
    MediaType.GLB: "glb",
    MediaType.MP4: "mp4",
}
