"""The studio's session on each request, and signing out."""

from __future__ import annotations

import hmac

from returns.result import Success

from imagestudio.application.ports.api_keys import ApiKeys
from imagestudio.application.ports.browser_sessions import BrowserSessions
from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.quota_store import QuotaStore
from imagestudio.application.use_cases.browser_sign_in import SessionPolicy
from imagestudio.domain.api_key import key_hash
from imagestudio.domain.browser_session import ADMIN, BrowserSession


class FindSession:
    """The live session a browser's session id names, checked afresh on every request: it
    ends when it expires, when the key it was opened with is revoked or rotated (or the admin
    key changes), and when its user is deleted."""

    def __init__(
        self,
        sessions: BrowserSessions,
        keys: ApiKeys,
        quota: QuotaStore,
        clock: Clock,
        policy: SessionPolicy,
    ) -> None:
        self._sessions = sessions
        self._keys = keys
        self._quota = quota
        self._clock = clock
        self._policy = policy

    async def execute(self, session_id: str) -> BrowserSession | None:
        """The session, or None when it is unknown or has ended (an ended one is deleted)."""
        found = await self._sessions.find(key_hash(session_id))
        if found is None:
            return None
        if not await self._still_valid(found):
            await self._sessions.end(found.id_hash)
            return None
        return found

    async def _still_valid(self, session: BrowserSession) -> bool:
        if not session.live_at(self._clock.now()):
            return False
        if session.role == ADMIN:
            admin = self._policy.admin_key_hash
            return admin is not None and hmac.compare_digest(session.key_hash or "", admin)
        if session.user_id is None:
            return False
        if session.key_hash is not None:
            return await self._keys.user_for_key(session.key_hash) == session.user_id
        # Opened by a one-time link: it lasts while its user does.
        return isinstance(await self._quota.plan_of(session.user_id), Success)


class SignOut:
    """Ends the session a browser's session id names; nothing happens for an unknown id."""

    def __init__(self, sessions: BrowserSessions) -> None:
        self._sessions = sessions

    async def execute(self, session_id: str) -> bool:
        """Whether a session ended."""
        return await self._sessions.end(key_hash(session_id))
