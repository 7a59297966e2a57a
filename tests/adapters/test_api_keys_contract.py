"""Every API-key store — in memory, SQLite, PostgreSQL — keeps the same promises."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from support.sql_schema import engine_with_schema

from imagestudio.adapters.memory.api_keys import InMemoryApiKeys
from imagestudio.adapters.sql.api_keys import SqlApiKeys
from imagestudio.adapters.sql.quota_store import SqlQuotaStore
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.application.ports.api_keys import ApiKeys
from imagestudio.domain.api_key import ApiKey
from imagestudio.domain.plan import Plan

T0 = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=1)


def a_key(key_id: str = "key_1", user_id: str = "alice", **changes: object) -> ApiKey:
    fields: dict[str, object] = {
        "id": key_id,
        "user_id": user_id,
        "key_hash": f"hash-of-{key_id}",
        "prefix": f"isk_{key_id}",
        "created_at": T0,
    }
    fields.update(changes)
    return ApiKey(**fields)  # type: ignore[arg-type]


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def keys(request: pytest.FixtureRequest) -> AsyncIterator[ApiKeys]:
    if request.param == "memory":
        yield InMemoryApiKeys()
        return
    url = str(
        request.getfixturevalue(f"{'sqlite' if request.param == 'sqlite' else 'postgres'}_url")
    )
    async with engine_with_schema(url) as engine:
        users = SqlQuotaStore(engine, FixedClock(T0))
        await users.define_plan(Plan(name="any"))
        for user_id in ("alice", "bob"):
            await users.assign(user_id, "any")
        yield SqlApiKeys(engine)


async def test_a_live_key_names_its_user_by_its_hash(keys: ApiKeys) -> None:
    await keys.add(a_key())

    assert await keys.user_for_key("hash-of-key_1") == "alice"
    assert await keys.user_for_key("hash-of-nothing") is None


async def test_a_key_comes_back_as_it_was_stored(keys: ApiKeys) -> None:
    await keys.add(a_key())

    assert await keys.keys_of("alice") == (a_key(),)


async def test_two_keys_with_one_hash_are_refused(keys: ApiKeys) -> None:
    await keys.add(a_key("key_1"))

    with pytest.raises(ValueError, match="exists"):
        await keys.add(a_key("key_2", key_hash="hash-of-key_1"))


async def test_a_revoked_key_names_nobody(keys: ApiKeys) -> None:
    await keys.add(a_key())

    revoked = await keys.revoke("key_1", LATER)

    assert revoked == a_key(revoked_at=LATER)
    assert await keys.user_for_key("hash-of-key_1") is None


async def test_revoking_twice_keeps_the_first_time(keys: ApiKeys) -> None:
    await keys.add(a_key())
    await keys.revoke("key_1", T0)

    assert await keys.revoke("key_1", LATER) == a_key(revoked_at=T0)


async def test_revoking_an_unknown_key_finds_nothing(keys: ApiKeys) -> None:
    assert await keys.revoke("key_404", LATER) is None


@pytest.mark.parametrize("reference", ["key_1", "isk_key_1", "hash-of-key_1"])
async def test_a_key_is_found_by_its_id_prefix_or_hash(keys: ApiKeys, reference: str) -> None:
    await keys.add(a_key("key_1"))
    await keys.add(a_key("key_2"))

    assert await keys.find(reference) == (a_key("key_1"),)


async def test_replacing_revokes_only_that_users_live_keys_and_adds_the_new_one(
    keys: ApiKeys,
) -> None:
    await keys.add(a_key("key_1"))
    await keys.add(a_key("key_2", created_at=T0 + timedelta(seconds=1)))
    await keys.add(a_key("key_b", user_id="bob"))

    revoked = await keys.replace(a_key("key_3", created_at=LATER))

    assert [key.id for key in revoked] == ["key_1", "key_2"]
    assert all(key.revoked_at == LATER for key in revoked)
    assert [key.id for key in await keys.keys_of("alice") if key.is_live] == ["key_3"]
    assert await keys.user_for_key("hash-of-key_b") == "bob"
