"""Browser sessions of the studio pages: a random id kept by the browser, a row kept here.

Only hashes are stored: the session id's (the cookie), the one-time sign-in link's token, and
the hash of the key a session was opened with, which says whether that key still works."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

ADMIN = "admin"
"""A session opened with the operator's admin key belongs to no user; it is this role."""
USER = "user"


@dataclass(frozen=True, slots=True, kw_only=True)
class BrowserSession:
    id_hash: str
    """The SHA-256 of the random id in the browser's cookie; the id itself is never stored."""
    role: str
    """`user`, or `admin` for the operator's key."""
    user_id: str | None
    """The user it acts as; None for an admin session."""
    key_hash: str | None
    """The hash of the key it was opened with (it ends when that key is revoked or rotated);
    None when opened by a one-time sign-in link."""
    created_at: datetime
    expires_at: datetime

    def live_at(self, moment: datetime) -> bool:
        return moment < self.expires_at


@dataclass(frozen=True, slots=True, kw_only=True)
class SignInLink:
    """A one-time sign-in link for a user, printed by a local server at start: its token is
    stored hashed, works once, and only until it expires."""

    token_hash: str
    user_id: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SignInRefused:
    """A key that opens no session (unknown or revoked), or a link that is unknown, used or
    expired; `reason` says which without echoing the secret."""

    reason: str

    @property
    def message(self) -> str:
        return self.reason
