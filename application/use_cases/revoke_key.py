"""Revoke key: stop one API key working, named by the key itself, its id or its prefix."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from imagestudio.application.ports.api_keys import ApiKeys
from imagestudio.application.ports.clock import Clock
from imagestudio.domain.api_key import ApiKey, display_prefix, key_hash, looks_like_key
from imagestudio.domain.errors import AmbiguousApiKey, UnknownApiKey


class RevokeKey:
    """Revokes one key at once; revoking a revoked key changes nothing."""

    def __init__(self, keys: ApiKeys, clock: Clock) -> None:
        self._keys = keys
        self._clock = clock

    async def execute(self, reference: str) -> Result[ApiKey, UnknownApiKey | AmbiguousApiKey]:
        """The key as revoked. A prefix two keys share is refused: name the key by its id."""
        if looks_like_key(reference):
            found = await self._keys.find(key_hash(reference))
            reference = display_prefix(reference) + "…"  # never echo a whole key
        else:
            found = await self._keys.find(reference)
        if not found:
            return Failure(UnknownApiKey(reference))
        if len(found) > 1:
            return Failure(AmbiguousApiKey(reference, tuple(key.id for key in found)))
        revoked = await self._keys.revoke(found[0].id, self._clock.now())
        assert revoked is not None, "keys are never deleted"
        return Success(revoked)
