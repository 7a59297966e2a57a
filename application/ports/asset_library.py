"""The asset library port: the rows describing every stored asset, searchable, per owner."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from imagestudio.domain.asset import Asset, AssetCursor
from imagestudio.domain.asset_query import AssetQuery, Relabel


class AssetLibrary(Protocol):
    """What is known about each asset; its bytes live in `AssetBytes` under the same id.

    Every method takes the owner: an asset of another owner does not exist for it.
    """

    async def add(self, asset: Asset) -> None:
        """Record `asset` (labels included); recording the same id again replaces it."""
        ...

    async def get(self, owner: str, asset_id: str) -> Asset | None:
        """The asset, only if `owner` owns it."""
        ...

    async def find(
        self, owner: str, query: AssetQuery, *, after: AssetCursor | None, limit: int
    ) -> tuple[Asset, ...]:
        """At most `limit` of `owner`'s assets matching `query`, strictly after `after`.

        Newest first by `(created_at, id)` descending (`newest_first`), so a cursor taken from
        a page still works after assets were added or removed. `query.matches` is the meaning
        of every filter; text search uses the database's full-text index where there is one.
        """
        ...

    async def relabel(self, owner: str, asset_id: str, change: Relabel) -> Asset | None:
        """Apply `change` atomically (no lost update between two changes); None if not found."""
        ...

    async def remove(self, owner: str, asset_id: str) -> Asset | None:
        """Forget the asset; the asset as it was, or None when there was nothing to forget."""
        ...

    async def bytes_used(self, owner: str) -> int:
        """The total size of `owner`'s assets."""
        ...

    async def owners(self) -> tuple[str, ...]:
        """Everyone who owns at least one asset, sorted."""
        ...

    async def known(self, owner: str, asset_ids: Collection[str]) -> frozenset[str]:
        """Which of `asset_ids` are `owner`'s assets."""
        ...
