"""The asset bytes port: each asset's content, stored under its own id, never shared."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from imagestudio.domain.media import MediaType


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredBytes:
    """One stored object, as an inventory finds it (for garbage collection)."""

    owner: str
    asset_id: str
    media_type: MediaType
    """Read from the name's extension."""
    size_bytes: int
    modified_at: datetime
    """When it was written (timezone-aware)."""
    thumbnail: int | None = None
    """The size of the asset's thumbnail this object is; None for the asset's own bytes."""


class AssetBytes(Protocol):
    async def put(self, owner: str, asset_id: str, media_type: MediaType, data: bytes) -> None:
        """Store `data` atomically: a reader finds all of it or nothing."""
        ...

    async def get(self, owner: str, asset_id: str, media_type: MediaType) -> bytes | None:
        """The bytes, or None when there are none."""
        ...

    async def remove(self, owner: str, asset_id: str, media_type: MediaType) -> bool:
        """Delete the bytes; False when there were none."""
        ...

    async def put_thumbnail(
        self, owner: str, asset_id: str, size: int, media_type: MediaType, data: bytes
    ) -> None:
        """Store a thumbnail of the asset beside its bytes, atomically. It is no asset: no row
        names it and no quota counts it; it goes when the asset goes."""
        ...

    async def get_thumbnail(
        self, owner: str, asset_id: str, size: int, media_type: MediaType
    ) -> bytes | None:
        """The thumbnail's bytes, or None when none was stored."""
        ...

    async def remove_thumbnail(
        self, owner: str, asset_id: str, size: int, media_type: MediaType
    ) -> bool:
        """Delete one thumbnail; False when there was none."""
        ...

    def inventory(self) -> AsyncIterator[StoredBytes]:
        """Every stored object, thumbnails included (marked), in no particular order (objects
        this store did not write, such as temporary files or foreign keys, are skipped)."""
        ...

    def location(self, owner: str, asset_id: str, media_type: MediaType) -> str:
        """Where a person can find the bytes (a file path or a URL); no I/O."""
        ...
