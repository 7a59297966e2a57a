"""The asset library in a dict: for tests, throw-away runs and the offline profile."""

from __future__ import annotations

from collections.abc import Collection, Mapping, MutableMapping
from dataclasses import replace
from datetime import UTC

from imagestudio.adapters.memory.overlay import Overlay
from imagestudio.domain.asset import Asset, AssetCursor, newest_first
from imagestudio.domain.asset_query import AssetQuery, Relabel


class InMemoryAssetLibrary:
    """The `AssetLibrary` port on a dict keyed by (owner, id); no await between read and write."""

    def __init__(self) -> None:
        self._assets: dict[tuple[str, str], Asset] = {}

    async def add(self, asset: Asset) -> None:
        _add(self._assets, asset)

    def draft(self) -> LibraryDraft:
        """A unit of work's draft of the library: assets kept aside until it merges them."""
        return LibraryDraft(Overlay(self._assets))

    async def get(self, owner: str, asset_id: str) -> Asset | None:
        return self._assets.get((owner, asset_id))

    async def find(
        self, owner: str, query: AssetQuery, *, after: AssetCursor | None, limit: int
    ) -> tuple[Asset, ...]:
        matching = (
            asset
            for (holder, _), asset in self._assets.items()
            if holder == owner and query.matches(asset)
        )
        return newest_first(matching, after=after, limit=limit)

    async def relabel(self, owner: str, asset_id: str, change: Relabel) -> Asset | None:
        asset = self._assets.get((owner, asset_id))
        if asset is None:
            return None
        changed = change.apply(asset)
        self._assets[(owner, asset_id)] = changed
        return changed

    async def remove(self, owner: str, asset_id: str) -> Asset | None:
        return self._assets.pop((owner, asset_id), None)

    async def bytes_used(self, owner: str) -> int:
        return _bytes_of(self._assets, owner)

    async def owners(self) -> tuple[str, ...]:
        return tuple(sorted({holder for holder, _ in self._assets}))

    async def known(self, owner: str, asset_ids: Collection[str]) -> frozenset[str]:
        return frozenset(i for i in asset_ids if (owner, i) in self._assets)


def _bytes_of(assets: Mapping[tuple[str, str], Asset], owner: str) -> int:
    return sum(a.size_bytes for (holder, _), a in assets.items() if holder == owner)


def _add(assets: MutableMapping[tuple[str, str], Asset], asset: Asset) -> None:
    # In UTC, as a database gives it back: the same instant, whatever zone it came in.
    if asset.created_at.tzinfo is not UTC:
        asset = replace(asset, created_at=asset.created_at.astimezone(UTC))
    assets[(asset.owner, asset.id)] = asset


class LibraryDraft:
    """The assets a unit of work adds, put in the library at its commit."""

    def __init__(self, assets: Overlay[tuple[str, str], Asset]) -> None:
        self._assets = assets

    def add(self, asset: Asset) -> None:
        _add(self._assets, asset)

    def bytes_used(self, owner: str) -> int:
        """The owner's stored bytes, with the unit's assets."""
        return _bytes_of(self._assets, owner)

    def merge(self) -> None:
        self._assets.merge()
