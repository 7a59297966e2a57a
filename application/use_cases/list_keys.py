"""List keys: what is known of a user's API keys (never the keys themselves)."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from imagestudio.application.ports.api_keys import ApiKeys
from imagestudio.application.ports.quota_store import QuotaStore
from imagestudio.domain.api_key import ApiKey
from imagestudio.domain.errors import UnknownUser


class ListKeys:
    """Lists a user's keys, live and revoked, by id and displayed prefix."""

    def __init__(self, quota: QuotaStore, keys: ApiKeys) -> None:
        self._quota = quota
        self._keys = keys

    async def execute(self, user_id: str) -> Result[tuple[ApiKey, ...], UnknownUser]:
        """Oldest first."""
        if isinstance(found := await self._quota.plan_of(user_id), Failure):
            return Failure(found.failure())
        return Success(await self._keys.keys_of(user_id))
