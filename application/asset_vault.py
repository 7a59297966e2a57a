"""Assets as the use cases see them: a library row and its bytes, kept consistent."""

from __future__ import annotations

import logging

from imagestudio.application.input_rules import text_problem
from imagestudio.application.ports.asset_bytes import AssetBytes
from imagestudio.application.ports.asset_library import AssetLibrary
from imagestudio.domain.asset import Asset, AssetCursor
from imagestudio.domain.asset_query import AssetQuery
from imagestudio.domain.thumbnail import THUMBNAIL_MEDIA, THUMBNAIL_SIZES

log = logging.getLogger(__name__)


class AssetVault:
    """One asset = one row in the library + its bytes under the same id.

    The bytes are written before the row and removed after it, so the only state a crash can
    leave is bytes without a row: invisible to every reader, and removed by `storage gc`.
    """

    def __init__(self, library: AssetLibrary, content: AssetBytes) -> None:
        self.library = library
        self.content = content

    async def save(self, asset: Asset, data: bytes) -> None:
        """Store the bytes, then record the asset: all of it, or (after a crash) an orphan."""
        await self.content.put(asset.owner, asset.id, asset.media_type, data)
        await self.library.add(asset)

    async def load(self, owner: str, asset_id: str) -> tuple[Asset, bytes] | None:
        """The asset and its bytes, only if `owner` owns it and its bytes are there."""
        asset = await self.describe(owner, asset_id)
        if asset is None:
            return None
        try:
            data = await self.content.get(owner, asset_id, asset.media_type)
        except ValueError:
            return None  # a name the byte store refuses cannot hold bytes
        if data is None:
            log.error("asset %s of %s has no bytes (see `imagestudio storage gc`)", asset_id, owner)
            return None
        return asset, data

    async def describe(self, owner: str, asset_id: str) -> Asset | None:
        """The asset without its bytes, only if `owner` owns it."""
        if not _storable(owner, asset_id):
            return None
        return await self.library.get(owner, asset_id)

    async def page(
        self,
        owner: str,
        *,
        after: AssetCursor | None,
        limit: int,
        query: AssetQuery | None = None,
    ) -> tuple[Asset, ...]:
        """At most `limit` of `owner`'s assets matching `query`, newest first, after `after`."""
        return await self.library.find(owner, query or AssetQuery(), after=after, limit=limit)

    async def delete(self, owner: str, asset_id: str) -> Asset | None:
        """Forget the asset, then remove its bytes and thumbnails; the asset as it was, or None
        when `owner` had no such asset.

        Bytes that cannot be removed now (storage failing) stay as an orphan for `storage gc`:
        the asset is gone for every reader either way.
        """
        if not _storable(owner, asset_id):
            return None
        removed = await self.library.remove(owner, asset_id)
        if removed is None:
            return None
        try:
            await self.content.remove(owner, asset_id, removed.media_type)
            if removed.media_type.is_image:
                for size in THUMBNAIL_SIZES:
                    await self.content.remove_thumbnail(owner, asset_id, size, THUMBNAIL_MEDIA)
        except Exception:
            log.exception("the bytes of deleted asset %s stay until `storage gc`", asset_id)
        return removed

    async def delete_matching(
        self, owner: str, query: AssetQuery, *, batch: int = 200
    ) -> tuple[int, int]:
        """Delete every asset of `owner` matching `query`, a page at a time; how many were
        deleted and their bytes. The walk moves on by cursor, so it ends even if some
        deletion does not happen (another process deleted the asset first)."""
        deleted = freed = 0
        after: AssetCursor | None = None
        while page := await self.library.find(owner, query, after=after, limit=batch):
            for asset in page:
                if await self.delete(owner, asset.id) is not None:
                    deleted += 1
                    freed += asset.size_bytes
            after = AssetCursor.at(page[-1])
        return deleted, freed

    def location(self, asset: Asset) -> str:
        """Where a person can find the asset's bytes (a file path or a URL); no I/O."""
        return self.content.location(asset.owner, asset.id, asset.media_type)


def _storable(*names: str) -> bool:
    """Whether every name could be an id at all: text a database can hold (no NUL, no lone
    surrogate). Anything else names no asset, so it is not found rather than a database error."""
    return all(text_problem(name) is None for name in names)
