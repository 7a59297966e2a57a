"""Rotate key: revoke a user's keys and issue a new one, shown once."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from imagestudio.application.key_issuing import IssuedKey, KeyIssuer
from imagestudio.application.ports.api_keys import ApiKeys
from imagestudio.application.ports.quota_store import QuotaStore
from imagestudio.domain.api_key import ApiKey
from imagestudio.domain.errors import UnknownUser


@dataclass(frozen=True, slots=True, kw_only=True)
class RotatedKey:
    issued: IssuedKey
    revoked: tuple[ApiKey, ...]


class RotateKey:
    """Replaces every live key of a user with one new key, in one step: the old ones stop
    working the moment the new one exists."""

    def __init__(self, quota: QuotaStore, keys: ApiKeys, issuer: KeyIssuer) -> None:
        self._quota = quota
        self._keys = keys
        self._issuer = issuer

    async def execute(self, user_id: str) -> Result[RotatedKey, UnknownUser]:
        """The new key (its secret shown now, never again) and the keys it revoked."""
        if isinstance(found := await self._quota.plan_of(user_id), Failure):
            return Failure(found.failure())
        issued = self._issuer.issue(user_id)
        revoked = await self._keys.replace(issued.key)
        return Success(RotatedKey(issued=issued, revoked=revoked))
