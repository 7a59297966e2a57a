"""The small picture `get_asset` shows by default.

Made here, through the image processor and its workers (a fit to the asset's own shape, so
nothing is cropped), until the studio has a thumbnail use case of its own: this function is
the one place to switch over to it."""

from __future__ import annotations

from functools import partial

from returns.result import Failure

from imagestudio.application.ports.image_processor import SocialFormat, SocialSpec
from imagestudio.application.use_cases.get_asset import AssetContent
from imagestudio.domain.media import MediaType
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.mcp.refusals import refused

EDGE = 512
"""The longer side of a thumbnail, in pixels."""
SHOWN = (MediaType.PNG, MediaType.JPEG, MediaType.WEBP)
"""The image types MCP clients show; any other is shown as PNG."""


async def thumbnail(studio: ImageStudio, content: AssetContent) -> tuple[bytes, MediaType]:
    """An image asset at most EDGE pixels on its longer side (as it is when already that
    small), in a type MCP clients show."""
    asset = content.asset
    shown = asset.media_type if asset.media_type in SHOWN else MediaType.PNG
    width, height = asset.width or 0, asset.height or 0
    if max(width, height) <= EDGE and shown is asset.media_type:
        return content.data, shown
    scale = min(1.0, EDGE / max(width, height, 1))
    size = SocialFormat(
        platform="thumbnail",
        name=asset.id,
        width=max(1, round(width * scale)),
        height=max(1, round(height * scale)),
        media_type=shown,
    )
    container = studio.container
    work = partial(container.image_processor().fit_social, spec=SocialSpec(format=size))
    made = await container.image_workers().run(work, content.data)
    if isinstance(made, Failure):
        raise refused(made.failure())
    return made.unwrap().data, shown
