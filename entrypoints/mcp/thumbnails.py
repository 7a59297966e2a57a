"""The small picture `get_asset` shows by default: the studio's own thumbnail of the asset
(`GetThumbnail`), made once and kept beside its bytes, as the library pages show it."""

from __future__ import annotations

from returns.result import Failure

from imagestudio.application.use_cases.get_asset import AssetContent
from imagestudio.domain.media import MediaType
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.mcp.refusals import refused

EDGE = 512
"""The longer side of a thumbnail, in pixels (one of the thumbnail sizes on offer)."""


async def thumbnail(studio: ImageStudio, content: AssetContent) -> tuple[bytes, MediaType]:
    """An image asset shrunk to fit an EDGE-pixel square (never enlarged)."""
    asset = content.asset
    made = await studio.get_thumbnail.execute(asset.owner, asset.id, EDGE)
    if isinstance(made, Failure):
        raise refused(made.failure())
    shown = made.unwrap()
    return shown.data, shown.media_type
