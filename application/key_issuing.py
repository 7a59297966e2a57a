"""Making a new API key: the secret for its user, once, and what is stored of it."""

from __future__ import annotations

from dataclasses import dataclass

from imagestudio.application.ports.api_keys import KeyGenerator
from imagestudio.application.ports.clock import Clock, IdGenerator
from imagestudio.domain.api_key import ApiKey, display_prefix, key_hash


@dataclass(frozen=True, slots=True, kw_only=True)
class IssuedKey:
    secret: str
    """The key itself: shown to its user this once, never stored."""
    key: ApiKey


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyIssuer:
    generator: KeyGenerator
    ids: IdGenerator
    clock: Clock

    def issue(self, user_id: str) -> IssuedKey:
        secret = self.generator.new_key()
        key = ApiKey(
            id=self.ids.new_id("key"),
            user_id=user_id,
            key_hash=key_hash(secret),
            prefix=display_prefix(secret),
            created_at=self.clock.now(),
        )
        return IssuedKey(secret=secret, key=key)
