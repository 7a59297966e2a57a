"""Asset bytes kept in memory: for tests and throw-away runs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

from imagestudio.adapters.asset_keys import AssetKey
from imagestudio.application.ports.asset_bytes import StoredBytes
from imagestudio.domain.media import MediaType


def _utc_now() -> datetime:
    return datetime.now(UTC)


class InMemoryAssetBytes:
    """The `AssetBytes` port on a dict; each object remembers when `clock` says it was put."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or _utc_now
        self._objects: dict[AssetKey, tuple[bytes, datetime]] = {}

    async def put(self, owner: str, asset_id: str, media_type: MediaType, data: bytes) -> None:
        self._objects[AssetKey(owner, asset_id, media_type)] = (bytes(data), self._clock())

    async def get(self, owner: str, asset_id: str, media_type: MediaType) -> bytes | None:
        stored = self._objects.get(AssetKey(owner, asset_id, media_type))
        return None if stored is None else stored[0]

    async def remove(self, owner: str, asset_id: str, media_type: MediaType) -> bool:
        return self._objects.pop(AssetKey(owner, asset_id, media_type), None) is not None

    async def put_thumbnail(
        self, owner: str, asset_id: str, size: int, media_type: MediaType, data: bytes
    ) -> None:
        self._objects[AssetKey(owner, asset_id, media_type, size)] = (bytes(data), self._clock())

    async def get_thumbnail(
        self, owner: str, asset_id: str, size: int, media_type: MediaType
    ) -> bytes | None:
        stored = self._objects.get(AssetKey(owner, asset_id, media_type, size))
        return None if stored is None else stored[0]

    async def remove_thumbnail(
        self, owner: str, asset_id: str, size: int, media_type: MediaType
    ) -> bool:
        return self._objects.pop(AssetKey(owner, asset_id, media_type, size), None) is not None

    async def inventory(self) -> AsyncIterator[StoredBytes]:
        # A snapshot: the caller may remove what it is given while it iterates.
        for key, (data, modified_at) in list(self._objects.items()):
            yield StoredBytes(
                owner=key.owner,
                asset_id=key.asset_id,
                media_type=key.media_type,
                size_bytes=len(data),
                modified_at=modified_at,
                thumbnail=key.thumbnail,
            )

    def location(self, owner: str, asset_id: str, media_type: MediaType) -> str:
        return f"memory://{AssetKey(owner, asset_id, media_type).path}"
