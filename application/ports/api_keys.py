"""The API-key ports: where keys are kept (by hash only), and where new ones come from."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from imagestudio.domain.api_key import ApiKey


class ApiKeys(Protocol):
    """Keeps API keys by their hash; the key itself is shown to its user once and never stored."""

    async def add(self, key: ApiKey) -> None:
        """Keep a new key."""
        ...

    async def replace(self, key: ApiKey) -> tuple[ApiKey, ...]:
        """Revoke every live key of `key.user_id` (at `key.created_at`) and keep `key`, in one
        step; the keys revoked."""
        ...

    async def revoke(self, key_id: str, at: datetime) -> ApiKey | None:
        """Revoke one key; a revoked key keeps its first revocation time. None if no such key."""
        ...

    async def find(self, reference: str) -> tuple[ApiKey, ...]:
        """The keys, live or revoked, whose id, displayed prefix or hash is `reference`."""
        ...

    async def keys_of(self, user_id: str) -> tuple[ApiKey, ...]:
        """The user's keys, live and revoked, oldest first."""
        ...

    async def user_for_key(self, key_hash: str) -> str | None:
        """The user whose live key has this hash; None for an unknown or revoked key."""
        ...


class KeyGenerator(Protocol):
    def new_key(self) -> str:
        """A fresh secret key: `isk_` and at least 256 random bits, URL-safe."""
        ...
