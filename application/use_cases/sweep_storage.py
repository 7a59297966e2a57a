"""Storage sweep: delete assets past their owner's plan retention."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from returns.result import Failure

from imagestudio.application.asset_vault import AssetVault
from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.quota_store import QuotaStore
from imagestudio.domain.asset_query import AssetQuery

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class StorageSweepReport:
    deleted: int
    bytes_freed: int
    owners_checked: int
    owners_without_plan: tuple[str, ...]
    """Owners of assets the quota store does not know: their assets are kept."""


class SweepStorage:
    """Deletes every asset older than its owner's plan's `retention_days` (rows and bytes)."""

    def __init__(self, assets: AssetVault, quota: QuotaStore, clock: Clock) -> None:
        self._assets = assets
        self._quota = quota
        self._clock = clock

    async def execute(self) -> StorageSweepReport:
        """Sweep every owner once, as of now; safe to run in several processes at once."""
        now = self._clock.now()
        deleted = freed = 0
        owners = await self._assets.library.owners()
        without_plan: list[str] = []
        for owner in owners:
            plan = await self._quota.plan_of(owner)
            if isinstance(plan, Failure):
                without_plan.append(owner)
                continue
            days = plan.unwrap().retention_days
            if days is None:
                continue
            try:
                cutoff = now - timedelta(days=days)
            except OverflowError:
                continue  # before year 1: no asset is that old (a plan stored before checks)
            expired = AssetQuery(created_before=cutoff)
            count, size = await self._assets.delete_matching(owner, expired)
            deleted += count
            freed += size
        if deleted:
            log.info("storage sweep deleted %d assets (%d bytes) past retention", deleted, freed)
        return StorageSweepReport(
            deleted=deleted,
            bytes_freed=freed,
            owners_checked=len(owners),
            owners_without_plan=tuple(without_plan),
        )
