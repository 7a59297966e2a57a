"""Assets kept in memory, one namespace per owner: for tests and throw-away runs."""

from __future__ import annotations

from imagestudio.domain.asset import Asset, AssetCursor, newest_first


class InMemoryAssetStore:
    """The `AssetStore` port on a dict; no await between a check and its change."""

    def __init__(self) -> None:
        self._assets: dict[tuple[str, str], tuple[Asset, bytes]] = {}

    async def save(self, asset: Asset, data: bytes) -> None:
        self._assets[(asset.owner, asset.id)] = (asset, bytes(data))

    async def load(self, owner: str, asset_id: str) -> tuple[Asset, bytes] | None:
        return self._assets.get((owner, asset_id))

    async def describe(self, owner: str, asset_id: str) -> Asset | None:
        stored = self._assets.get((owner, asset_id))
        return None if stored is None else stored[0]

    async def page(self, owner: str, *, after: AssetCursor | None, limit: int) -> tuple[Asset, ...]:
        owned = (asset for (holder, _), (asset, _) in self._assets.items() if holder == owner)
        return newest_first(owned, after=after, limit=limit)

    async def delete(self, owner: str, asset_id: str) -> bool:
        return self._assets.pop((owner, asset_id), None) is not None

    def location(self, asset: Asset) -> str:
        return f"memory://{asset.owner}/{asset.id}.{asset.media_type.extension}"
