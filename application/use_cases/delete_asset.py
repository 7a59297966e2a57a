"""Delete asset: the caller's asset and its bytes go; the ledger lines that paid for it stay."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from imagestudio.application.asset_vault import AssetVault
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import AssetNotFound


class DeleteAsset:
    """Removes one of the caller's assets: its row, then its bytes (never shared)."""

    def __init__(self, assets: AssetVault) -> None:
        self._assets = assets

    async def execute(self, owner: str, asset_id: str) -> Result[Asset, AssetNotFound]:
        """The asset as it was. Assets derived from it keep naming it in their lineage."""
        removed = await self._assets.delete(owner, asset_id)
        if removed is None:
            return Failure(AssetNotFound(asset_id))
        return Success(removed)
