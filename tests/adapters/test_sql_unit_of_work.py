"""The SQL unit of work: its cost in statements, its behaviour under concurrency (threads of one
process, several processes, the budget stripes), and database errors while reserving."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from returns.result import Failure, Success
from sqlalchemy import event, text
from support.unit_race_worker import one
from support.unit_world import (
    LEASE,
    NOW,
    a_line,
    a_request,
    an_asset,
    an_operation,
    sql_world,
)

from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql.engine import create_engine
from imagestudio.adapters.sql.operation_codec import operation_row
from imagestudio.adapters.sql.quota_store import SqlQuotaStore
from imagestudio.adapters.sql.reserving import ReserveFailed
from imagestudio.adapters.sql.transaction import TransactionFailed
from imagestudio.adapters.sql.unit_of_work import SqlUnitOfWork
from imagestudio.application.ports.unit_of_work import StaleOperation, UnitOfWork
from imagestudio.domain.billing_period import period_containing
from imagestudio.domain.errors import OperatorBudgetExhausted
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import OperatorBudget, Plan
from imagestudio.domain.quota import Counter, ReservationRequest, Settlement

WORKER = Path(__file__).resolve().parents[1] / "support" / "unit_race_worker.py"
ROOMY = Plan(name="roomy", calls={QuotaCategory.IMAGE_GENERATION: Limit.of(1_000_000)})
ACCEPT_CEILING = 9
SETTLE_CEILING = 8
S = OperationStatus


@contextmanager
def statements(units: SqlUnitOfWork) -> Iterator[list[str]]:
    """Every statement the unit of work sends while the block runs (PRAGMAs aside)."""
    sent: list[str] = []

    def record(*args: Any) -> None:
        if not args[2].startswith("PRAGMA"):
            sent.append(args[2])

    event.listen(units.database.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(units.database.engine, "before_cursor_execute", record)


async def test_accepting_and_settling_take_few_statements_on_sqlite(sqlite_url: str) -> None:
    """The accept checks the storage room and the settle returns its receipt in the statements
    they send anyway: the plan's read, the counters' move."""
    async with sql_world(sqlite_url) as world:
        await world.quota.assign("ada", "small")  # a finite storage limit: the room is read
        units = world.units
        assert isinstance(units, SqlUnitOfWork)
        with statements(units) as accepting:
            async with units.begin() as unit:
                await unit.operations.add(an_operation(), LEASE)
                asked = a_request(needs_storage=True)
                assert isinstance(await unit.quota.reserve("res_op_1", asked), Success)
                await unit.commit()
        with statements(units) as settling:
            async with units.begin() as unit:
                await unit.operations.advance(S.RESERVED, an_operation(status=S.SUCCEEDED))
                moved = await unit.quota.commit("res_op_1", Settlement(outputs=1, amount=40_000))
                await unit.ledger.append(a_line())
                await unit.assets.add(an_asset())
                await unit.commit()
        assert moved.counters == await world.quota.counters("ada", NOW)
        with statements(units) as idle:
            async with units.begin():
                pass

    print(f"accept: {len(accepting)} statements, settle: {len(settling)} statements")
    assert (accepting[0], accepting[-1]) == ("BEGIN IMMEDIATE", "COMMIT")
    assert len(accepting) <= ACCEPT_CEILING, accepting
    assert (settling[0], settling[-1]) == ("BEGIN IMMEDIATE", "COMMIT")
    assert len(settling) <= SETTLE_CEILING, settling
    assert idle == []


async def test_a_failed_flush_leaves_only_a_rollback(database_url: str) -> None:
    async with sql_world(database_url) as world:
        await world.quota.assign("ada", "small")
        async with world.units.begin() as unit:
            await unit.operations.advance(S.RESERVED, an_operation(status=S.SUCCEEDED))
            await unit.ledger.append(a_line())
            with pytest.raises(StaleOperation):
                await unit.quota.reserve("res_1", a_request())
            with pytest.raises(TransactionFailed):
                await unit.commit()

        assert await world.ledger.for_user("ada") == ()


async def test_a_database_error_while_reserving_is_reserve_failed(database_url: str) -> None:
    async with sql_world(database_url) as world:
        await world.quota.assign("ada", "small")
        async with world.units.begin() as unit:
            await unit.ledger.append(a_line())
            await unit.commit()
        assert isinstance(world.quota, SqlQuotaStore)
        async with world.quota._engine.begin() as connection:
            await connection.execute(text("DROP TABLE reservations"))

        async def reserving(units: UnitOfWork) -> None:
            async with units.begin() as unit:
                await unit.quota.reserve("res_1", a_request())

        with pytest.raises(ReserveFailed):
            await reserving(world.units)


async def settled_totals(url: str, user: str) -> tuple[Counter, int]:
    async with sql_world(url, create=False) as world:
        counters = await world.quota.counters(user, NOW)
        calls = next(c for key, c in counters.items() if key.name.startswith("calls"))
        return calls, len(await world.ledger.for_user(user))


async def test_two_units_of_work_in_one_process_running_units_at_once_lose_nothing(
    database_url: str,
) -> None:
    async with sql_world(database_url) as world:
        await world.quota.define_plan(ROOMY)
        await world.quota.assign("ada", "roomy")
    settled = await asyncio.gather(*(race(database_url, f"p{n}") for n in range(2)))

    assert settled == [12, 12]
    assert await settled_totals(database_url, "ada") == (Counter(used=24, held=0), 24)


async def race(url: str, prefix: str, count: int = 12) -> int:
    """`count` operations at once, as a worker runs them, on a unit of work of their own."""
    units = SqlUnitOfWork(url)
    try:
        done = await asyncio.gather(*(one(units, "ada", f"{prefix}_{n}") for n in range(count)))
    finally:
        await units.aclose()
    return sum(done)


def test_two_processes_on_one_sqlite_file_lose_nothing(sqlite_url: str) -> None:
    async def prepare() -> None:
        async with sql_world(sqlite_url) as world:
            await world.quota.define_plan(ROOMY)
            await world.quota.assign("ada", "roomy")

    asyncio.run(prepare())
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), sqlite_url, "ada", f"w{n}", "15"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(2)
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0], [err for _, err in outputs]
    assert [json.loads(out)["settled"] for out, _ in outputs] == [15, 15]
    calls, lines = asyncio.run(settled_totals(sqlite_url, "ada"))
    assert (calls, lines) == (Counter(used=30, held=0), 30)


def first_of_a_period(user: str, month: int) -> ReservationRequest:
    at = NOW.replace(month=month, day=2)
    return ReservationRequest(
        user_id=user,
        category=QuotaCategory.IMAGE_GENERATION,
        outputs=1,
        amount=10,
        provider="acme",
        at=at,
    )


async def test_first_reservations_of_a_period_on_a_striped_budget_never_deadlock(
    database_url: str,
) -> None:
    users = [f"u{n}" for n in range(8)]
    async with sql_world(database_url) as world:
        await world.quota.define_plan(ROOMY)
        for user in users:
            await world.quota.assign(user, "roomy")
        await world.quota.set_budget(OperatorBudget(provider="acme", monthly=Limit.of(75)))

        async def reserving(user: str, month: int) -> object:
            async with world.units.begin() as unit:
                asked = first_of_a_period(user, month)
                granted = await unit.quota.reserve(f"r_{user}_{month}", asked)
                await unit.commit()
                return granted

        for month in (1, 2, 3):
            answers = await asyncio.gather(*(reserving(user, month) for user in users))
            granted = [a for a in answers if isinstance(a, Success)]
            refused = [a for a in answers if isinstance(a, Failure)]
            assert len(granted) == 7, answers  # 7 × 10 within 75; the eighth would pass it
            assert [type(r.failure()) for r in refused] == [OperatorBudgetExhausted]
            period = period_containing(first_of_a_period("u0", month).at).key
            spent = await world.quota.operator_counter("acme", period)
            assert spent == Counter(used=0, held=70)


async def test_upgrading_names_the_operation_behind_each_running_key(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await schema.upgrade(engine, "0006")
        async with engine.begin() as connection:
            row = operation_row(an_operation(idempotency_key="k1"))
            del row["follow_up"]  # a column of a later revision
            names = ", ".join(row)
            values = ", ".join(f":{name}" for name in row)
            await connection.execute(
                text(f"INSERT INTO operations ({names}) VALUES ({values})"),
                {
                    **row,
                    **{
                        name: row[name].replace(tzinfo=None)
                        for name in ("created_at", "updated_at")
                    },
                },
            )
            for key, outcome in (("k1", None), ("k2", None), ("k3", "{}")):
                await connection.execute(
                    text(
                        "INSERT INTO idempotency_keys (user_id, key, request_hash, claimed_at, "
                        "outcome) VALUES ('ada', :key, 'h1', :at, :outcome)"
                    ),
                    {"key": key, "at": NOW.replace(tzinfo=None), "outcome": outcome},
                )

        await schema.upgrade(engine)

        async with engine.connect() as connection:
            named = await connection.execute(
                text("SELECT key, operation_id FROM idempotency_keys ORDER BY key")
            )
            assert [tuple(row) for row in named] == [("k1", "op_1"), ("k2", None), ("k3", None)]
    finally:
        await engine.dispose()
