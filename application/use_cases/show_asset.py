"""Show asset: one of the caller's assets described, with the lineage it was derived from."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from imagestudio.application.asset_vault import AssetVault
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import AssetNotFound

MAX_ANCESTORS = 100
"""Lineage shown at most: a chain of edits is long before it is this long."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Ancestor:
    """An asset some step of the lineage was made from; `asset` is None once it was deleted."""

    asset_id: str
    depth: int
    """1 for a direct input, 2 for an input of that input, …"""
    asset: Asset | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetDetails:
    asset: Asset
    location: str
    lineage: tuple[Ancestor, ...]
    """Every ancestor, nearest first, each once."""


class ShowAsset:
    """Describes one of the caller's assets and walks its lineage (only the caller's own)."""

    def __init__(self, assets: AssetVault) -> None:
        self._assets = assets

    async def execute(self, owner: str, asset_id: str) -> Result[AssetDetails, AssetNotFound]:
        """The asset, where its bytes are, and every asset it was derived from."""
        asset = await self._assets.describe(owner, asset_id)
        if asset is None:
            return Failure(AssetNotFound(asset_id))
        lineage: list[Ancestor] = []
        seen = {asset.id}
        frontier = [(parent, 1) for parent in asset.derived_from]
        while frontier and len(lineage) < MAX_ANCESTORS:
            parent_id, depth = frontier.pop(0)
            if parent_id in seen:
                continue
            seen.add(parent_id)
            parent = await self._assets.describe(owner, parent_id)
            lineage.append(Ancestor(asset_id=parent_id, depth=depth, asset=parent))
            if parent is not None:
                frontier.extend((grand, depth + 1) for grand in parent.derived_from)
        return Success(
            AssetDetails(asset=asset, location=self._assets.location(asset), lineage=tuple(lineage))
        )
