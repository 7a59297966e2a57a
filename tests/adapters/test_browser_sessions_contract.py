"""Every browser-session store — in memory, SQLite, PostgreSQL — keeps the same promises: only
hashes, a link used once and never after it expires, and the user's rows gone with the user."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from support.sql_schema import engine_with_schema

from imagestudio.adapters.memory.browser_sessions import InMemoryBrowserSessions
from imagestudio.adapters.sql.account_erasure import SqlAccountErasure
from imagestudio.adapters.sql.browser_sessions import SqlBrowserSessions
from imagestudio.adapters.sql.quota_store import SqlQuotaStore
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.application.ports.browser_sessions import BrowserSessions
from imagestudio.domain.browser_session import BrowserSession, SignInLink
from imagestudio.domain.plan import Plan

T0 = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def a_session(id_hash: str = "s1", user_id: str | None = "alice") -> BrowserSession:
    return BrowserSession(
        id_hash=id_hash,
        role="user" if user_id else "admin",
        user_id=user_id,
        key_hash="hash-of-key" if user_id else "hash-of-admin",
        created_at=T0,
        expires_at=T0 + timedelta(days=7),
    )


def a_link(token_hash: str = "t1") -> SignInLink:
    return SignInLink(
        token_hash=token_hash, user_id="alice", created_at=T0, expires_at=T0 + timedelta(minutes=10)
    )


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def sessions(request: pytest.FixtureRequest) -> AsyncIterator[BrowserSessions]:
    if request.param == "memory":
        yield InMemoryBrowserSessions()
        return
    url = str(
        request.getfixturevalue(f"{'sqlite' if request.param == 'sqlite' else 'postgres'}_url")
    )
    async with engine_with_schema(url) as engine:
        users = SqlQuotaStore(engine, FixedClock(T0))
        await users.define_plan(Plan(name="any"))
        await users.assign("alice", "any")
        yield SqlBrowserSessions(engine)


async def test_a_session_comes_back_as_stored_and_ends_once(sessions: BrowserSessions) -> None:
    for stored in (a_session(), a_session("s2", user_id=None)):
        await sessions.add(stored)
        assert await sessions.find(stored.id_hash) == stored

    assert await sessions.end("s1") is True
    assert await sessions.end("s1") is False
    assert await sessions.find("s1") is None
    assert await sessions.find("s2") is not None


async def test_a_session_id_is_never_stored_twice(sessions: BrowserSessions) -> None:
    await sessions.add(a_session())
    with pytest.raises(Exception):  # noqa: B017, PT011 - each store raises its own
        await sessions.add(a_session())


async def test_a_link_works_once(sessions: BrowserSessions) -> None:
    await sessions.add_link(a_link())
    at = T0 + timedelta(minutes=1)

    used = await sessions.use_link("t1", at)

    assert used is not None and (used.user_id, used.used_at) == ("alice", at)
    assert await sessions.use_link("t1", at) is None
    assert await sessions.use_link("unknown", at) is None


async def test_a_link_is_dead_from_its_expiry_on(sessions: BrowserSessions) -> None:
    await sessions.add_link(a_link())
    assert await sessions.use_link("t1", T0 + timedelta(minutes=10)) is None
    assert await sessions.use_link("t1", T0 + timedelta(minutes=9)) is not None


async def test_two_uses_at_once_give_one_session(sessions: BrowserSessions) -> None:
    await sessions.add_link(a_link())
    results = await asyncio.gather(*(sessions.use_link("t1", T0) for _ in range(4)))
    assert sum(result is not None for result in results) == 1


async def test_erasing_a_user_deletes_their_sessions_and_links(sqlite_url: str) -> None:
    async with engine_with_schema(sqlite_url) as engine:
        users = SqlQuotaStore(engine, FixedClock(T0))
        await users.define_plan(Plan(name="any"))
        await users.assign("alice", "any")
        sessions = SqlBrowserSessions(engine)
        await sessions.add(a_session())
        await sessions.add(a_session("admin", user_id=None))
        await sessions.add_link(a_link())

        await SqlAccountErasure(engine).erase("alice", "deleted-1")

        assert await sessions.find("s1") is None
        assert await sessions.use_link("t1", T0) is None
        assert await sessions.find("admin") is not None
