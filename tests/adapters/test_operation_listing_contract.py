"""One contract for reading operations back (`find`, `describe`): in memory, in SQLite and in
PostgreSQL alike. `OperationQuery.matches` and `newest_first` are the meaning."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imagestudio.adapters.memory.operation_store import InMemoryOperationStore
from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql.engine import create_engine
from imagestudio.adapters.sql.operation_store import SqlOperationStore
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.operation_query import (
    UNFINISHED,
    OperationCursor,
    OperationQuery,
    newest_first,
)

T0 = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
S = OperationStatus
K = OperationKind
_users = itertools.count(1)

Store = InMemoryOperationStore | SqlOperationStore

FEW = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def an_operation(operation_id: str, **changes: object) -> ImageOperation:
    operation = ImageOperation(
        id=operation_id,
        user_id="alice",
        kind=K.TEXT_TO_IMAGE,
        model_id="flux-schnell",
        provider="fal",
        prompt="a lighthouse",
        input_digests=(),
        parameters={},
        outputs_requested=1,
        created_at=T0,
        updated_at=T0,
    )
    return replace(operation, **changes)  # type: ignore[arg-type]


@pytest.fixture(
    params=[
        pytest.param("memory", id="memory"),
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    if request.param == "memory":
        yield InMemoryOperationStore()
        return
    url = str(
        request.getfixturevalue(f"{'sqlite' if request.param == 'sqlite' else 'postgres'}_url")
    )
    engine = create_engine(url)
    try:
        await schema.upgrade(engine)  # the schema the application runs on, its index included
        yield SqlOperationStore(engine)
    finally:
        await engine.dispose()


async def saved(store: Store, *operations: ImageOperation) -> None:
    for operation in operations:
        await store.save(operation)


async def found(
    store: Store,
    user_id: str | None = "alice",
    query: OperationQuery | None = None,
    *,
    after: OperationCursor | None = None,
    limit: int = 100,
) -> list[str]:
    page = await store.find(user_id, query or OperationQuery(), after=after, limit=limit)
    return [tracked.operation.id for tracked in page]


async def test_a_users_operations_come_newest_first_and_only_theirs(store: Store) -> None:
    await saved(
        store,
        an_operation("op_1", created_at=at(1)),
        an_operation("op_3", created_at=at(3)),
        an_operation("op_2", created_at=at(2)),
        an_operation("op_b", user_id="bob", created_at=at(4)),
    )

    assert await found(store) == ["op_3", "op_2", "op_1"]
    assert await found(store, "bob") == ["op_b"]
    assert await found(store, "carol") == []
    assert await found(store, None) == ["op_b", "op_3", "op_2", "op_1"]


async def test_each_operation_comes_back_whole_in_its_latest_state(store: Store) -> None:
    first = an_operation("op_1", parameters={"seed": 7}, idempotency_key="k")
    later = replace(
        first,
        status=S.UNKNOWN,
        updated_at=at(5),
        reservation_id="res_1",
        provider_task_ids=("task_1",),
        error="connection dropped",
    )
    await saved(store, first, later)

    [tracked] = await store.find("alice", OperationQuery(), after=None, limit=10)

    assert tracked.operation == later
    assert await store.describe("op_1") == tracked


async def test_pages_walk_every_operation_once_ties_by_id(store: Store) -> None:
    await saved(
        store,
        *(an_operation(f"op_{name}") for name in "cab"),
        an_operation("op_z", created_at=at(-1)),
        an_operation("op_y", created_at=at(1)),
    )
    walked: list[str] = []
    after = None
    while page := await store.find("alice", OperationQuery(), after=after, limit=2):
        walked += [tracked.operation.id for tracked in page]
        after = OperationCursor.at(page[-1].operation)

    assert walked == ["op_y", "op_c", "op_b", "op_a", "op_z"]


async def test_a_cursor_naming_no_operation_resumes_after_its_place(store: Store) -> None:
    await saved(
        store, an_operation("op_a"), an_operation("op_c"), an_operation("op_x", created_at=at(-1))
    )

    after = OperationCursor(created_at=T0, operation_id="op_b")

    assert await found(store, after=after) == ["op_a", "op_x"]


async def test_filters_by_status_kind_and_time(store: Store) -> None:
    await saved(
        store,
        an_operation("op_done", status=S.SUCCEEDED, created_at=at(0)),
        an_operation("op_unknown", status=S.UNKNOWN, created_at=at(10)),
        an_operation("op_sent", status=S.SUBMITTED, kind=K.UPSCALE, created_at=at(20)),
        an_operation("op_failed", status=S.FAILED, kind=K.UPSCALE, created_at=at(30)),
    )

    assert await found(store, query=OperationQuery(statuses=UNFINISHED)) == [
        "op_sent",
        "op_unknown",
    ]
    assert await found(store, query=OperationQuery(statuses=frozenset({S.FAILED}))) == ["op_failed"]
    assert await found(store, query=OperationQuery(statuses=frozenset())) == []
    assert await found(store, query=OperationQuery(kind=K.UPSCALE)) == ["op_failed", "op_sent"]
    assert await found(store, query=OperationQuery(created_from=at(10))) == [
        "op_failed",
        "op_sent",
        "op_unknown",
    ]
    assert await found(store, query=OperationQuery(created_before=at(10))) == ["op_done"]
    # Another zone names the same instant.
    plus_two = timezone(timedelta(hours=2))
    assert await found(
        store, query=OperationQuery(created_from=at(10).astimezone(plus_two), kind=K.TEXT_TO_IMAGE)
    ) == ["op_unknown"]


async def test_a_limit_of_zero_finds_nothing(store: Store) -> None:
    await saved(store, an_operation("op_1"))

    assert await found(store, limit=0) == []


async def test_the_lease_is_read_with_the_operation(store: Store) -> None:
    await saved(store, an_operation("op_held", status=S.SUBMITTED), an_operation("op_free"))
    await store.hold("op_held", "worker-1", at(60))

    held = await store.describe("op_held")
    free = await store.describe("op_free")
    listed = await store.find("alice", OperationQuery(), after=None, limit=10)

    assert held is not None
    assert held.lease_until == at(60)
    assert free is not None
    assert free.lease_until is None
    assert {t.operation.id: t.lease_until for t in listed} == {"op_held": at(60), "op_free": None}
    assert await store.describe("op_missing") is None


async def test_a_reconcilers_lease_on_an_unknown_operation_shows(store: Store) -> None:
    await saved(store, an_operation("op_1", status=S.UNKNOWN))

    assert await store.take_unknown(at(1), "reconciler", at(31)) == ("op_1",)

    tracked = await store.describe("op_1")
    assert tracked is not None
    assert tracked.lease_until == at(31)


statuses = st.sampled_from(list(OperationStatus))
operation_lists = st.lists(
    st.builds(
        lambda n, user, status, kind, seconds: an_operation(
            f"op_{n}", user_id=user, status=status, kind=kind, created_at=at(seconds)
        ),
        n=st.integers(0, 9),
        user=st.sampled_from(["me", "other"]),
        status=statuses,
        kind=st.sampled_from([K.TEXT_TO_IMAGE, K.UPSCALE]),
        seconds=st.integers(0, 3),
    ),
    max_size=8,
    unique_by=lambda operation: operation.id,
)
queries = st.builds(
    OperationQuery,
    statuses=st.none() | st.frozensets(statuses, max_size=3),
    kind=st.none() | st.sampled_from([K.TEXT_TO_IMAGE, K.UPSCALE]),
    created_from=st.none() | st.integers(0, 3).map(at),
    created_before=st.none() | st.integers(0, 4).map(at),
)
cursors = st.none() | st.builds(
    OperationCursor,
    created_at=st.integers(0, 3).map(at),
    operation_id=st.sampled_from(["op_0", "op_3", "op_5", "op_9"]),
)


@FEW
@given(operations=operation_lists, query=queries, after=cursors, limit=st.integers(0, 6))
async def test_find_is_newest_first_over_matches(
    store: Store,
    operations: list[ImageOperation],
    query: OperationQuery,
    after: OperationCursor | None,
    limit: int,
) -> None:
    # Fresh users and ids per example, so each example has a store of its own.
    user = f"u{next(_users)}"
    mine = [
        replace(op, id=f"{user}-{op.id}", user_id=user if op.user_id == "me" else f"{user}-x")
        for op in operations
    ]
    await saved(store, *mine)
    if after is not None:
        after = replace(after, operation_id=f"{user}-{after.operation_id}")

    page = await store.find(user, query, after=after, limit=limit)

    owned = [op for op in mine if op.user_id == user and query.matches(op)]
    assert [t.operation for t in page] == list(newest_first(owned, after=after, limit=limit))
