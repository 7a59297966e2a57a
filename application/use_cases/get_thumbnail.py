"""Get thumbnail: a small preview of one of the caller's images, made once and kept beside it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from returns.result import Failure, Result, Success

from imagestudio.application.asset_vault import AssetVault
from imagestudio.application.ports.image_processor import ImageProcessor
from imagestudio.application.ports.image_workers import ImageWorkers
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import AssetNotFound, InvalidInput, NoThumbnail
from imagestudio.domain.media import MediaType
from imagestudio.domain.thumbnail import THUMBNAIL_MEDIA, THUMBNAIL_SIZES

ThumbnailError = AssetNotFound | NoThumbnail | InvalidInput


@dataclass(frozen=True, slots=True, kw_only=True)
class Thumbnail:
    asset: Asset
    size: int
    data: bytes
    media_type: MediaType


class GetThumbnail:
    """Serves the caller's image shrunk to fit a `size` square (one of `THUMBNAIL_SIZES`).

    The first request makes it on the image workers (off the event loop) and keeps it in the
    byte store beside the asset; later requests read it back. A thumbnail is no asset: no row,
    no storage quota; it is removed with its asset, and `storage gc` removes one whose asset is
    gone. Another user's asset is not found; a 3D model or a video has no thumbnail.
    """

    def __init__(
        self, assets: AssetVault, processor: ImageProcessor, workers: ImageWorkers
    ) -> None:
        self._assets = assets
        self._processor = processor
        self._workers = workers

    async def execute(
        self, user_id: str, asset_id: str, size: int
    ) -> Result[Thumbnail, ThumbnailError]:
        """The thumbnail of `size`; a size not offered is refused before anything is read."""
        if size not in THUMBNAIL_SIZES:
            offered = ", ".join(map(str, THUMBNAIL_SIZES))
            return Failure(InvalidInput("size", f"must be one of {offered}, not {size}"))
        try:
            asset = await self._assets.describe(user_id, asset_id)
        except ValueError:
            asset = None
        if asset is None:
            return Failure(AssetNotFound(asset_id))
        if not asset.media_type.is_image:
            return Failure(NoThumbnail(asset_id, asset.media_type.value))
        content = self._assets.content
        kept = await content.get_thumbnail(user_id, asset_id, size, THUMBNAIL_MEDIA)
        if kept is not None:
            return Success(self._thumbnail(asset, size, kept))
        loaded = await self._assets.load(user_id, asset_id)
        if loaded is None:
            return Failure(AssetNotFound(asset_id))
        made = await self._workers.run(partial(self._processor.thumbnail, size=size), loaded[1])
        if isinstance(made, Failure):
            return Failure(made.failure())
        data = made.unwrap().data
        await content.put_thumbnail(user_id, asset_id, size, THUMBNAIL_MEDIA, data)
        if await self._assets.describe(user_id, asset_id) is None:
            # Deleted while the thumbnail was made: remove what this request left behind (a
            # crash right here leaves it to `storage gc`).
            await content.remove_thumbnail(user_id, asset_id, size, THUMBNAIL_MEDIA)
            return Failure(AssetNotFound(asset_id))
        return Success(self._thumbnail(asset, size, data))

    @staticmethod
    def _thumbnail(asset: Asset, size: int, data: bytes) -> Thumbnail:
        return Thumbnail(asset=asset, size=size, data=data, media_type=THUMBNAIL_MEDIA)
