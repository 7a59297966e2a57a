"""API keys in memory: by id, with their hashes unique."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from imagestudio.domain.api_key import ApiKey


class InMemoryApiKeys:
    """The `ApiKeys` port on a dict; no await between a check and its change."""

    def __init__(self) -> None:
        self._keys: dict[str, ApiKey] = {}

    async def add(self, key: ApiKey) -> None:
        if any(known.key_hash == key.key_hash or known.id == key.id for known in self._all()):
            raise ValueError(f"API key {key.id} (or its hash) exists already")
        self._keys[key.id] = key

    async def replace(self, key: ApiKey) -> tuple[ApiKey, ...]:
        revoked = tuple(
            self._revoke(old.id, key.created_at)
            for old in self._all()
            if old.user_id == key.user_id and old.is_live
        )
        await self.add(key)
        return revoked

    async def revoke(self, key_id: str, at: datetime) -> ApiKey | None:
        return self._revoke(key_id, at) if key_id in self._keys else None

    async def find(self, reference: str) -> tuple[ApiKey, ...]:
        return tuple(key for key in self._all() if reference in (key.id, key.prefix, key.key_hash))

    async def keys_of(self, user_id: str) -> tuple[ApiKey, ...]:
        return tuple(key for key in self._all() if key.user_id == user_id)

    async def user_for_key(self, key_hash: str) -> str | None:
        return next(
            (key.user_id for key in self._all() if key.key_hash == key_hash and key.is_live), None
        )

    def erase_user(self, user_id: str) -> int:
        """Delete every key of the user, live or revoked; how many."""
        gone = [key.id for key in self._keys.values() if key.user_id == user_id]
        for key_id in gone:
            del self._keys[key_id]
        return len(gone)

    def _all(self) -> list[ApiKey]:
        return sorted(self._keys.values(), key=lambda key: (key.created_at, key.id))

    def _revoke(self, key_id: str, at: datetime) -> ApiKey:
        key = self._keys[key_id]
        if key.is_live:
            key = self._keys[key_id] = replace(key, revoked_at=at)
        return key
