"""Signing in to the studio pages: with a user's API key, the operator's admin key, or a
one-time link; each opens a browser session whose random id only the browser keeps."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta

from returns.result import Failure, Result, Success

from imagestudio.application.ports.api_keys import ApiKeys
from imagestudio.application.ports.browser_sessions import BrowserSessions, SecretTokens
from imagestudio.application.ports.clock import Clock
from imagestudio.domain.api_key import key_hash
from imagestudio.domain.browser_session import (
    ADMIN,
    USER,
    BrowserSession,
    SignInLink,
    SignInRefused,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionPolicy:
    lifetime: timedelta
    """How long a session lasts from sign-in."""
    link_lifetime: timedelta
    """How long a one-time sign-in link works, unused."""
    admin_key_hash: str | None
    """The hash of the operator's admin key; None when the admin pages are off."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenedSession:
    session_id: str
    """The random id for the browser's cookie: returned this once, stored only hashed."""
    session: BrowserSession


class SessionOpener:
    """Opens sessions: the one place a session id is drawn and its row written."""

    def __init__(
        self, sessions: BrowserSessions, tokens: SecretTokens, clock: Clock, policy: SessionPolicy
    ) -> None:
        self.sessions = sessions
        self.tokens = tokens
        self.clock = clock
        self.policy = policy

    async def open(self, role: str, user_id: str | None, opened_with: str | None) -> OpenedSession:
        session_id = self.tokens.new_token()
        now = self.clock.now()
        session = BrowserSession(
            id_hash=key_hash(session_id),
            role=role,
            user_id=user_id,
            key_hash=opened_with,
            created_at=now,
            expires_at=now + self.policy.lifetime,
        )
        await self.sessions.add(session)
        return OpenedSession(session_id=session_id, session=session)


class SignInWithKey:
    """A user's live API key opens a session as that user; the admin key opens an admin
    session. The key itself is never kept: only its hash, to end the session with the key."""

    def __init__(self, opener: SessionOpener, keys: ApiKeys) -> None:
        self._opener = opener
        self._keys = keys

    async def execute(self, secret: str) -> Result[OpenedSession, SignInRefused]:
        """The new session, or a refusal that never echoes the key."""
        secret = secret.strip()
        if not secret:
            return Failure(SignInRefused("enter an API key"))
        hashed = key_hash(secret)
        admin = self._opener.policy.admin_key_hash
        if admin is not None and hmac.compare_digest(hashed, admin):
            return Success(await self._opener.open(ADMIN, None, hashed))
        user_id = await self._keys.user_for_key(hashed)
        if user_id is None:
            return Failure(SignInRefused("this API key is unknown or revoked"))
        return Success(await self._opener.open(USER, user_id, hashed))


class IssueSignInLink:
    """Makes a one-time sign-in link for a user (what a local server prints at start)."""

    def __init__(self, opener: SessionOpener) -> None:
        self._opener = opener

    async def execute(self, user_id: str) -> str:
        """The link's token, shown this once: it works once, until the policy's link lifetime
        has passed; only its hash is stored."""
        token = self._opener.tokens.new_token()
        now = self._opener.clock.now()
        await self._opener.sessions.add_link(
            SignInLink(
                token_hash=key_hash(token),
                user_id=user_id,
                created_at=now,
                expires_at=now + self._opener.policy.link_lifetime,
            )
        )
        return token


class SignInWithLink:
    """Uses a one-time link: a session for its user, once; a used or expired link opens none."""

    def __init__(self, opener: SessionOpener) -> None:
        self._opener = opener

    async def execute(self, token: str) -> Result[OpenedSession, SignInRefused]:
        """The new session, or a refusal (unknown, used or expired: all read the same)."""
        used = await self._opener.sessions.use_link(key_hash(token), self._opener.clock.now())
        if used is None:
            return Failure(SignInRefused("this sign-in link is unknown, used already or expired"))
        return Success(await self._opener.open(USER, used.user_id, None))
