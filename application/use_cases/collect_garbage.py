"""Storage gc: remove bytes no asset row names (a crash between storing and recording), and
report rows whose bytes are missing. A thumbnail belongs to its asset: kept while the asset's
row exists, removed (as an orphan) once it is gone."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from imagestudio.application.asset_vault import AssetVault
from imagestudio.application.ports.asset_bytes import StoredBytes
from imagestudio.application.ports.clock import Clock
from imagestudio.domain.asset import AssetCursor
from imagestudio.domain.asset_query import AssetQuery

log = logging.getLogger(__name__)
DEFAULT_MARGIN = timedelta(hours=1)
"""Bytes younger than this may belong to an asset being saved right now: never touched."""
BATCH = 500


@dataclass(frozen=True, slots=True, kw_only=True)
class MissingBytes:
    owner: str
    asset_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GarbageReport:
    orphans: tuple[StoredBytes, ...]
    """Bytes without an asset row, older than the margin: removed (or, in a dry run, would be)."""
    bytes_freed: int
    young_orphans: int
    """Bytes without a row but younger than the margin: left alone."""
    missing: tuple[MissingBytes, ...]
    """Asset rows whose bytes are gone (reported, never changed: a person decides)."""
    dry_run: bool


class CollectGarbage:
    """Reconciles the asset library with the byte store. Safe while operations run: only
    bytes older than the margin are removed, and rows newer than the scan are not judged."""

    def __init__(self, assets: AssetVault, clock: Clock) -> None:
        self._assets = assets
        self._clock = clock

    async def execute(
        self, *, margin: timedelta = DEFAULT_MARGIN, dry_run: bool = False
    ) -> GarbageReport:
        """Scan everything once; remove old orphans unless `dry_run`."""
        if margin < timedelta(0):
            raise ValueError("the safety margin cannot be negative")
        started = self._clock.now()
        stored: set[tuple[str, str]] = set()
        orphans: list[StoredBytes] = []
        young = 0
        pending: dict[str, list[StoredBytes]] = defaultdict(list)
        async for item in self._assets.content.inventory():
            if item.thumbnail is None:  # a thumbnail is not the asset's bytes
                stored.add((item.owner, item.asset_id))
            pending[item.owner].append(item)
            if len(pending[item.owner]) >= BATCH:
                found, too_young = await self._unknown(pending.pop(item.owner), started, margin)
                orphans += found
                young += too_young
        for items in pending.values():
            found, too_young = await self._unknown(items, started, margin)
            orphans += found
            young += too_young
        freed = 0
        if not dry_run:
            for orphan in orphans:
                if await _remove(self._assets, orphan):
                    freed += orphan.size_bytes
            if orphans:
                log.warning(
                    "storage gc removed %d orphaned objects (%d bytes)", len(orphans), freed
                )
        else:
            freed = sum(orphan.size_bytes for orphan in orphans)
        missing = await self._missing(stored, started)
        return GarbageReport(
            orphans=tuple(orphans),
            bytes_freed=freed,
            young_orphans=young,
            missing=missing,
            dry_run=dry_run,
        )

    async def _unknown(
        self, items: list[StoredBytes], started: datetime, margin: timedelta
    ) -> tuple[list[StoredBytes], int]:
        owner = items[0].owner
        known = await self._assets.library.known(owner, [item.asset_id for item in items])
        unknown = [item for item in items if item.asset_id not in known]
        old = [item for item in unknown if item.modified_at <= started - margin]
        return old, len(unknown) - len(old)

    async def _missing(
        self, stored: set[tuple[str, str]], started: datetime
    ) -> tuple[MissingBytes, ...]:
        # Only rows created before the inventory began: a newer row's bytes may simply have
        # been written after the scan passed their place.
        before_scan = AssetQuery(created_before=started)
        missing: list[MissingBytes] = []
        library = self._assets.library
        for owner in await library.owners():
            after: AssetCursor | None = None
            while page := await library.find(owner, before_scan, after=after, limit=BATCH):
                missing += (
                    MissingBytes(owner=owner, asset_id=asset.id)
                    for asset in page
                    if (owner, asset.id) not in stored
                )
                after = AssetCursor.at(page[-1])
        return tuple(missing)


async def _remove(assets: AssetVault, item: StoredBytes) -> bool:
    content = assets.content
    if item.thumbnail is None:
        return await content.remove(item.owner, item.asset_id, item.media_type)
    return await content.remove_thumbnail(
        item.owner, item.asset_id, item.thumbnail, item.media_type
    )
