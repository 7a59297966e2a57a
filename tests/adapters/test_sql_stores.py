"""What only the SQL ledger, operation and idempotency stores promise: many processes' worth of
connections racing on one key or one operation, leases kept, state kept across engines.

The behaviour every implementation shares is in test_store_contracts.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from returns.result import Success
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from test_store_contracts import a_failure, a_finished_operation, a_record, a_success, an_operation

from imagestudio.adapters.sql import tables
from imagestudio.adapters.sql.engine import create_engine
from imagestudio.adapters.sql.idempotency import SqlIdempotencyStore
from imagestudio.adapters.sql.key_statements import held_key, take_over
from imagestudio.adapters.sql.ledger import SqlLedger
from imagestudio.adapters.sql.operation_store import SqlOperationStore
from imagestudio.application.ports.idempotency import (
    Claimed,
    KeyReusedDifferently,
    Replay,
    StillRunning,
)
from imagestudio.domain.operation import OperationStatus

T0 = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
RACERS = 8
R = TypeVar("R")


@pytest.fixture
async def engines(database_url: str) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    """Two engines on one fresh database: two processes' worth of connections."""
    first, second = create_engine(database_url), create_engine(database_url)
    try:
        async with first.begin() as connection:
            await connection.run_sync(tables.metadata.create_all)
        yield first, second
    finally:
        await first.dispose()
        await second.dispose()


async def race(
    engines: tuple[AsyncEngine, AsyncEngine], attempt: Callable[[AsyncEngine], Awaitable[R]]
) -> list[R | BaseException]:
    """`RACERS` attempts at once, alternating between the two engines."""
    return await asyncio.gather(
        *(attempt(engines[n % 2]) for n in range(RACERS)), return_exceptions=True
    )


# -- idempotency keys ---------------------------------------------------------------------------


async def test_racing_claims_on_a_fresh_key_leave_exactly_one_claimed(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    answers = await race(
        engines, lambda engine: SqlIdempotencyStore(engine).claim("alice", "k1", "hash-a", T0)
    )

    assert answers.count(Claimed()) == 1
    assert answers.count(StillRunning()) == RACERS - 1


async def test_racing_claims_for_different_requests_leave_exactly_one_claimed(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    answers = await race(
        engines,
        lambda engine: SqlIdempotencyStore(engine).claim("alice", "k1", f"hash-{id(engine)}", T0),
    )

    assert answers.count(Claimed()) == 1
    assert all(answer in (Claimed(), StillRunning(), KeyReusedDifferently()) for answer in answers)


@pytest.mark.parametrize("finished", [True, False], ids=["finished", "running"])
async def test_racing_reclaims_of_an_expired_key_leave_exactly_one_claimed(
    engines: tuple[AsyncEngine, AsyncEngine], finished: bool
) -> None:
    retention = timedelta(minutes=5)
    first = SqlIdempotencyStore(engines[0], retention)
    await first.claim("alice", "k1", "hash-a", T0)
    if finished:
        await first.finish("alice", "k1", a_success())

    answers = await race(
        engines,
        lambda engine: SqlIdempotencyStore(engine, retention).claim(
            "alice", "k1", "hash-a", T0 + retention
        ),
    )

    assert answers.count(Claimed()) == 1
    assert answers.count(StillRunning()) == RACERS - 1


async def test_an_expired_key_taken_over_since_it_was_read_is_not_taken_again(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    """The conditional UPDATE itself: the loser of a re-claim race finds the row changed."""
    retention = timedelta(minutes=5)
    keys = SqlIdempotencyStore(engines[0], retention)
    await keys.claim("alice", "k1", "hash-a", T0)
    async with engines[0].connect() as connection:
        stale = await connection.run_sync(held_key, "alice", "k1")
    assert stale is not None

    assert await keys.claim("alice", "k1", "hash-b", T0 + retention) == Claimed()
    async with engines[1].begin() as connection:
        assert not await connection.run_sync(take_over, stale, "hash-c", T0 + retention)

    assert await keys.claim("alice", "k1", "hash-b", T0 + retention) == StillRunning()


async def test_racing_finishes_store_one_outcome(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    await SqlIdempotencyStore(engines[0]).claim("alice", "k1", "hash-a", T0)

    answers = await race(
        engines, lambda engine: SqlIdempotencyStore(engine).finish("alice", "k1", a_success())
    )

    assert answers.count(None) == 1
    assert all(isinstance(answer, ValueError) for answer in answers if answer is not None)
    replay = await SqlIdempotencyStore(engines[1]).claim("alice", "k1", "hash-a", T0)
    assert replay == Replay(a_success())


async def test_an_outcome_is_replayed_by_another_process(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    first, second = (SqlIdempotencyStore(engine) for engine in engines)
    await first.claim("alice", "k1", "hash-a", T0)

    assert await second.claim("alice", "k1", "hash-a", T0) == StillRunning()
    await first.finish("alice", "k1", a_failure())
    assert await second.claim("alice", "k1", "hash-a", T0) == Replay(a_failure())


async def test_the_outcome_is_stored_as_text_in_its_column(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    keys = SqlIdempotencyStore(engines[0])
    await keys.claim("alice", "k1", "hash-a", T0)
    async with engines[0].connect() as connection:
        running = await connection.scalar(select(tables.idempotency_keys.c.outcome))
    await keys.finish("alice", "k1", Success(a_success().unwrap()))
    async with engines[0].connect() as connection:
        finished = await connection.scalar(select(tables.idempotency_keys.c.outcome))

    assert running is None
    assert isinstance(finished, str)
    assert '"success"' in finished


# -- ledger -------------------------------------------------------------------------------------


async def test_racing_appends_for_one_operation_leave_one_line(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    answers = await race(engines, lambda engine: SqlLedger(engine).append(a_record("op_1")))

    assert answers.count(None) == 1
    assert all(isinstance(answer, ValueError) for answer in answers if answer is not None)
    assert await SqlLedger(engines[1]).for_user("alice") == (a_record("op_1"),)


async def test_lines_from_two_processes_are_listed_in_the_order_they_were_added(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    for n in range(6):
        await SqlLedger(engines[n % 2]).append(a_record(f"op_{5 - n}"))

    lines = await SqlLedger(engines[0]).for_user("alice", period="2026-03-01")

    assert [line.operation_id for line in lines] == [f"op_{5 - n}" for n in range(6)]


# -- operations ---------------------------------------------------------------------------------


async def test_saving_an_operation_keeps_its_lease(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    store = SqlOperationStore(engines[0])
    await store.save(an_operation())
    lease_until = T0 + timedelta(seconds=30)
    async with engines[1].begin() as connection:
        await connection.execute(
            update(tables.operations).values(lease_owner="worker-1", lease_expires_at=lease_until)
        )

    reserved = an_operation().advance(OperationStatus.RESERVED, T0, reservation_id="res_1").unwrap()
    await store.save(reserved)

    async with engines[1].connect() as connection:
        row = (
            await connection.execute(
                select(tables.operations.c.lease_owner, tables.operations.c.lease_expires_at)
            )
        ).one()
    assert (row.lease_owner, row.lease_expires_at) == ("worker-1", lease_until)
    assert await SqlOperationStore(engines[1]).get("op_1") == reserved


async def test_the_queried_fields_are_columns(engines: tuple[AsyncEngine, AsyncEngine]) -> None:
    await SqlOperationStore(engines[0]).save(a_finished_operation())

    c = tables.operations.c
    async with engines[0].connect() as connection:
        row = (
            await connection.execute(
                select(c.status, c.user_id, c.kind, c.charged, c.idempotency_key).where(
                    c.status == OperationStatus.SUCCEEDED.value
                )
            )
        ).one()

    assert tuple(row) == ("succeeded", "alice", "image-edit", 55_000, "key-1")


async def test_racing_saves_of_one_new_operation_leave_one_row(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    answers = await race(
        engines, lambda engine: SqlOperationStore(engine).save(a_finished_operation())
    )

    assert answers == [None] * RACERS
    assert await SqlOperationStore(engines[1]).get("op_1") == a_finished_operation()
