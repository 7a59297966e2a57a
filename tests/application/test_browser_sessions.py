"""Signing in to the studio pages: a key, the admin key or a one-time link opens a session
whose id is stored only hashed; the session is checked on each use and ends with its key, the
admin key, its user or its time."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from returns.result import Failure, Success

from imagestudio.adapters.memory.api_keys import InMemoryApiKeys
from imagestudio.adapters.memory.browser_sessions import InMemoryBrowserSessions
from imagestudio.adapters.memory.quota_store import InMemoryQuotaStore
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.adapters.system.ids import UuidIdGenerator
from imagestudio.adapters.system.keys import RandomKeyGenerator
from imagestudio.application.key_issuing import KeyIssuer
from imagestudio.application.use_cases.browser_session import FindSession, SignOut
from imagestudio.application.use_cases.browser_sign_in import (
    IssueSignInLink,
    OpenedSession,
    SessionOpener,
    SessionPolicy,
    SignInWithKey,
    SignInWithLink,
)
from imagestudio.application.use_cases.revoke_key import RevokeKey
from imagestudio.application.use_cases.rotate_key import RotateKey
from imagestudio.domain.api_key import key_hash
from imagestudio.domain.browser_session import ADMIN, USER
from imagestudio.domain.plan import Plan

T0 = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
ADMIN_KEY = "the-operators-admin-key"


class CountingTokens:
    def __init__(self) -> None:
        self._count = itertools.count(1)

    def new_token(self) -> str:
        return f"token-{next(self._count)}"


class World:
    def __init__(self, admin_key: str | None = ADMIN_KEY) -> None:
        self.clock = FixedClock(T0)
        self.keys = InMemoryApiKeys()
        self.quota = InMemoryQuotaStore([Plan(name="pro")], users={"alice": "pro"})
        self.sessions = InMemoryBrowserSessions()
        self.policy = SessionPolicy(
            lifetime=timedelta(hours=1),
            link_lifetime=timedelta(minutes=10),
            admin_key_hash=None if admin_key is None else key_hash(admin_key),
        )
        opener = SessionOpener(self.sessions, CountingTokens(), self.clock, self.policy)
        self.issuer = KeyIssuer(
            generator=RandomKeyGenerator(), ids=UuidIdGenerator(), clock=self.clock
        )
        self.sign_in = SignInWithKey(opener, self.keys)
        self.issue_link = IssueSignInLink(opener)
        self.use_link = SignInWithLink(opener)
        self.find = FindSession(self.sessions, self.keys, self.quota, self.clock, self.policy)
        self.sign_out = SignOut(self.sessions)

    async def key_of(self, user_id: str) -> str:
        issued = self.issuer.issue(user_id)
        await self.keys.add(issued.key)
        return issued.secret

    async def signed_in(self, secret: str) -> OpenedSession:
        opened = await self.sign_in.execute(secret)
        assert isinstance(opened, Success), opened
        return opened.unwrap()


async def test_a_key_opens_a_session_stored_by_hash_only() -> None:
    world = World()
    secret = await world.key_of("alice")

    opened = await world.signed_in(secret)

    session = opened.session
    assert (session.role, session.user_id) == (USER, "alice")
    assert session.id_hash == key_hash(opened.session_id) != opened.session_id
    assert session.key_hash == key_hash(secret)
    assert session.expires_at == T0 + timedelta(hours=1)
    assert await world.find.execute(opened.session_id) == session
    assert await world.find.execute(session.id_hash) is None  # the hash opens nothing


@pytest.mark.parametrize("secret", ["", "   ", "isk_unknown-key-000000000000000000000000"])
async def test_an_unknown_or_empty_key_opens_nothing(secret: str) -> None:
    world = World()
    refused = await world.sign_in.execute(secret)
    assert isinstance(refused, Failure)
    assert "isk_unknown" not in refused.failure().message


async def test_the_admin_key_opens_an_admin_session_that_ends_when_the_key_changes() -> None:
    world = World()
    opened = await world.signed_in(ADMIN_KEY)
    assert (opened.session.role, opened.session.user_id) == (ADMIN, None)
    assert await world.find.execute(opened.session_id) is not None

    changed = World(admin_key="a-new-admin-key-for-the-operator")
    await changed.sessions.add(opened.session)
    assert await changed.find.execute(opened.session_id) is None


async def test_without_an_admin_key_the_admin_pages_stay_shut() -> None:
    world = World(admin_key=None)
    assert isinstance(await world.sign_in.execute(ADMIN_KEY), Failure)


async def test_revoking_the_key_ends_its_sessions() -> None:
    world = World()
    secret = await world.key_of("alice")
    opened = await world.signed_in(secret)

    await RevokeKey(world.keys, world.clock).execute(secret)

    assert await world.find.execute(opened.session_id) is None
    assert await world.sessions.find(opened.session.id_hash) is None  # deleted, not kept


async def test_rotating_the_key_ends_its_sessions() -> None:
    world = World()
    opened = await world.signed_in(await world.key_of("alice"))

    await RotateKey(world.quota, world.keys, world.issuer).execute("alice")

    assert await world.find.execute(opened.session_id) is None


async def test_a_session_ends_at_its_expiry_and_on_sign_out() -> None:
    world = World()
    secret = await world.key_of("alice")
    first, second = await world.signed_in(secret), await world.signed_in(secret)

    assert await world.sign_out.execute(first.session_id) is True
    assert await world.find.execute(first.session_id) is None
    assert await world.find.execute(second.session_id) is not None  # each browser its own
    world.clock.advance(timedelta(hours=1))
    assert await world.find.execute(second.session_id) is None


async def test_a_link_signs_its_user_in_once_until_it_expires() -> None:
    world = World()
    token = await world.issue_link.execute("alice")

    opened = await world.use_link.execute(token)

    assert isinstance(opened, Success)
    session = opened.unwrap().session
    assert (session.user_id, session.key_hash) == ("alice", None)
    assert await world.find.execute(opened.unwrap().session_id) == session
    assert isinstance(await world.use_link.execute(token), Failure)

    late = await world.issue_link.execute("alice")
    world.clock.advance(timedelta(minutes=10))
    assert isinstance(await world.use_link.execute(late), Failure)


async def test_a_link_session_ends_with_its_user() -> None:
    world = World()
    opened = await world.use_link.execute(await world.issue_link.execute("alice"))
    assert isinstance(opened, Success)

    world.quota.erase_user("alice")

    assert await world.find.execute(opened.unwrap().session_id) is None
