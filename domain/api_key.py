"""API keys: a secret shown to its user once; only its hash and a short prefix are kept."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

KEY_PREFIX = "isk_"
"""Every key starts with it, so a leaked key is recognisable (and findable by scanners)."""
DISPLAY_LENGTH = 12
"""How much of a key is kept in clear to tell keys apart: `isk_` and 8 random characters."""


def key_hash(secret: str) -> str:
    """The SHA-256 of a key, in hex: enough for random keys of 256 bits (no dictionary to try).
    Text that is not Unicode (a lone surrogate) hashes too, to a hash no issued key has."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def display_prefix(secret: str) -> str:
    return secret[:DISPLAY_LENGTH]


def looks_like_key(text: str) -> bool:
    """Whether `text` is a whole key rather than its id or displayed prefix."""
    return text.startswith(KEY_PREFIX) and len(text) > DISPLAY_LENGTH


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiKey:
    """What is stored of one key: never the key itself."""

    id: str
    user_id: str
    key_hash: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None
