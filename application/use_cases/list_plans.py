"""List plans: the limits of every plan."""

from __future__ import annotations

from imagestudio.application.ports.quota_store import QuotaStore
from imagestudio.domain.plan import Plan


class ListPlans:
    """Lists every plan the quota store knows."""

    def __init__(self, quota: QuotaStore) -> None:
        self._quota = quota

    async def execute(self) -> tuple[Plan, ...]:
        """Every plan, by name."""
        return await self._quota.plans()
