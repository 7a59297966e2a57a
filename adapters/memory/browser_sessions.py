"""Browser sessions and sign-in links in memory, by the hash of their secret."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from imagestudio.domain.browser_session import BrowserSession, SignInLink


class InMemoryBrowserSessions:
    """The `BrowserSessions` port on dicts; no await between a check and its change."""

    def __init__(self) -> None:
        self._sessions: dict[str, BrowserSession] = {}
        self._links: dict[str, SignInLink] = {}

    async def add(self, session: BrowserSession) -> None:
        if session.id_hash in self._sessions:
            raise ValueError("a session with this id exists already")
        self._sessions[session.id_hash] = session

    async def find(self, id_hash: str) -> BrowserSession | None:
        return self._sessions.get(id_hash)

    async def end(self, id_hash: str) -> bool:
        return self._sessions.pop(id_hash, None) is not None

    async def add_link(self, link: SignInLink) -> None:
        if link.token_hash in self._links:
            raise ValueError("a sign-in link with this token exists already")
        self._links[link.token_hash] = link

    async def use_link(self, token_hash: str, at: datetime) -> SignInLink | None:
        link = self._links.get(token_hash)
        if link is None or link.used_at is not None or at >= link.expires_at:
            return None
        used = self._links[token_hash] = replace(link, used_at=at)
        return used
