"""The asset store port: bytes and their description, one namespace per user."""

from __future__ import annotations

from typing import Protocol

from imagestudio.domain.asset import Asset, AssetCursor


class AssetStore(Protocol):
    async def save(self, asset: Asset, data: bytes) -> None:
        """Store `data` under the asset's own id, atomically: all of it or nothing."""
        ...

    async def load(self, owner: str, asset_id: str) -> tuple[Asset, bytes] | None:
        """The asset and its bytes, only if `owner` owns it."""
        ...

    async def describe(self, owner: str, asset_id: str) -> Asset | None:
        """The asset without its bytes, only if `owner` owns it."""
        ...

    async def page(self, owner: str, *, after: AssetCursor | None, limit: int) -> tuple[Asset, ...]:
        """At most `limit` of `owner`'s assets strictly after `after`, newest first.

        Ordered by `(created_at, id)` descending (`newest_first`), so a cursor taken from a page
        still works after assets were saved or deleted. Only assets `load` would return are
        listed. A store naming files or keys after owners raises ValueError for an unsafe one.
        """
        ...

    async def delete(self, owner: str, asset_id: str) -> bool:
        """Remove the asset and its bytes; False when there was nothing to remove."""
        ...

    def location(self, asset: Asset) -> str:
        """Where a person can find the asset's bytes (a file path or a URL); no I/O."""
        ...
