"""Authenticate: which user an API key belongs to."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from imagestudio.application.ports.api_keys import ApiKeys
from imagestudio.domain.api_key import display_prefix, key_hash
from imagestudio.domain.errors import UnknownApiKey


class Authenticate:
    """Finds the user of a live API key by the key's hash; a revoked key is unknown."""

    def __init__(self, keys: ApiKeys) -> None:
        self._keys = keys

    async def execute(self, secret: str) -> Result[str, UnknownApiKey]:
        """The user id; no key at all (None, as a missing header gives) is an unknown key."""
        if not isinstance(secret, str):
            return Failure(UnknownApiKey("…"))
        user_id = await self._keys.user_for_key(key_hash(secret))
        if user_id is None:
            return Failure(UnknownApiKey(display_prefix(secret) + "…"))
        return Success(user_id)
