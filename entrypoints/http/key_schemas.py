"""The admin API's answers about API keys: what is kept of a key, and a rotation."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from imagestudio.domain.api_key import ApiKey


class KeyOut(BaseModel):
    """What is kept of an API key: never the key itself."""

    id: str
    user_id: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    live: bool

    @classmethod
    def of(cls, key: ApiKey) -> KeyOut:
        return cls(
            id=key.id,
            user_id=key.user_id,
            prefix=key.prefix,
            created_at=key.created_at,
            revoked_at=key.revoked_at,
            live=key.is_live,
        )


class RotatedKeyOut(BaseModel):
    user_id: str
    api_key: str
    """Shown this once; only its hash is kept."""
    key: KeyOut
    revoked: list[KeyOut]
