"""Get asset: a user's own stored result, with its bytes."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from imagestudio.application.asset_vault import AssetVault
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import AssetNotFound


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetContent:
    asset: Asset
    data: bytes
    location: str


class GetAsset:
    """Fetches one of the caller's assets; another user's asset is simply not found."""

    def __init__(self, assets: AssetVault) -> None:
        self._assets = assets

    async def execute(self, user_id: str, asset_id: str) -> Result[AssetContent, AssetNotFound]:
        """The asset, its bytes and where it lives."""
        try:
            found = await self._assets.load(user_id, asset_id)
        except ValueError:
            found = None  # an id that could not even name a file is simply not one of yours
        if found is None:
            return Failure(AssetNotFound(asset_id))
        asset, data = found
        return Success(AssetContent(asset=asset, data=data, location=self._assets.location(asset)))
