"""Thumbnails: the few sizes an asset's preview is made in, and the format they are kept in."""

from __future__ import annotations

from imagestudio.domain.media import MediaType

THUMBNAIL_SIZES = (128, 256, 512)
"""The longest side of each thumbnail size, in pixels. A fixed set, so an asset has at most
this many thumbnails and deleting it knows every one."""
DEFAULT_THUMBNAIL_SIZE = 256
THUMBNAIL_MEDIA = MediaType.WEBP
"""Small, with transparency, and written by every Pillow this service runs on."""
