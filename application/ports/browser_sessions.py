"""Where the studio's browser sessions and one-time sign-in links are kept (by hash only)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from imagestudio.domain.browser_session import BrowserSession, SignInLink


class BrowserSessions(Protocol):
    """Sessions and sign-in links by the hash of their secret; every process sees the same."""

    async def add(self, session: BrowserSession) -> None:
        """Keep a new session."""
        ...

    async def find(self, id_hash: str) -> BrowserSession | None:
        """The session with this id hash, expired or not; None if there is none."""
        ...

    async def end(self, id_hash: str) -> bool:
        """Delete the session; whether there was one."""
        ...

    async def add_link(self, link: SignInLink) -> None:
        """Keep a new one-time sign-in link."""
        ...

    async def use_link(self, token_hash: str, at: datetime) -> SignInLink | None:
        """Mark the link used at `at` and return it, in one step, if it is unused and not
        expired at `at`; None otherwise (so two tabs can never both use one link)."""
        ...


class SecretTokens(Protocol):
    def new_token(self) -> str:
        """A fresh random secret: at least 256 bits, URL-safe."""
        ...
