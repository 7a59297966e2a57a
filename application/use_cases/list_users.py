"""List users: who is subscribed, on which plan."""

from __future__ import annotations

from imagestudio.application.ports.quota_store import QuotaAdministration
from imagestudio.domain.plan import Subscription


class ListUsers:
    """Lists every user and the plan they are on."""

    def __init__(self, administration: QuotaAdministration) -> None:
        self._administration = administration

    async def execute(self) -> tuple[Subscription, ...]:
        """Every user, by id."""
        return await self._administration.users()
