"""Part 2: the cost of one operation (a reserving unit, a unit that commits and appends the
ledger line, reading usage) as the ledger and the counters grow, each case in its own database,
timed in alternating blocks; and its table."""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bench_support import progress
from ledger_fill import Case
from ledger_plan import BUDGETED, PRICE, SETTLEMENT, USERS, prepare, reservation_request
from ledger_settings import Settings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql.engine import create_engine
from imagestudio.adapters.sql.quota_store import SqlQuotaStore
from imagestudio.adapters.sql.unit_of_work import SqlUnitOfWork
from imagestudio.adapters.system.clock import SystemClock
from imagestudio.application.use_cases.usage import ReadUsage
from imagestudio.domain.billing_period import period_containing
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.usage_record import Outcome, UsageRecord

BLOCK = 25  # operations timed on one database before moving to the next (drift cancels out)


@dataclass(frozen=True)
class Cost:
    case: Case
    fill_seconds: float
    operations: list[float]  # seconds: reserving unit + settling unit (ledger line) + read usage
    reads: list[float]  # seconds of reading usage alone (the counters)
    sums: list[float]  # seconds of summing the user's ledger lines (what usage does not do)


async def time_operations(
    engine: AsyncEngine, store: SqlQuotaStore, units: SqlUnitOfWork, count: int
) -> tuple[list[float], list[float], list[float]]:
    usage = ReadUsage(store, SystemClock())
    user = USERS[0]  # owns 1/1,000 of the bulk ledger lines, and its share of past counters
    operations, reads, sums = [], [], []
    summing = text(
        "select coalesce(sum(user_charge), 0) from ledger "
        "where user_id = :u and billing_period = :p"
    )
    for _ in range(count):
        started = time.perf_counter()
        reservation = f"op-{uuid.uuid4().hex}"
        request = reservation_request(user, BUDGETED)
        period = period_containing(request.at).key
        async with units.begin() as unit:
            (await unit.quota.reserve(reservation, request)).unwrap()
            await unit.commit()
        async with units.begin() as unit:
            await unit.quota.commit(reservation, SETTLEMENT)
            await unit.ledger.append(
                UsageRecord(
                    user_id=user,
                    operation_id=reservation,
                    model_id="bench/model",
                    provider=BUDGETED,
                    kind=OperationKind.TEXT_TO_IMAGE,
                    outputs=1,
                    user_charge=PRICE,
                    provider_cost=PRICE,
                    outcome=Outcome.SUCCEEDED,
                    output_bytes=1_000,
                    latency_ms=100,
                    billing_period=period,
                    started_at=request.at,
                    finished_at=datetime.now(UTC),
                )
            )
            await unit.commit()
        read_at = time.perf_counter()
        report = (await usage.execute(user)).unwrap()
        finished = time.perf_counter()
        assert report.rows[0].used > 0
        async with engine.connect() as connection:
            await connection.scalar(summing, {"u": user, "p": period})
        operations.append(finished - started)
        reads.append(finished - read_at)
        sums.append(time.perf_counter() - finished)
    return operations, reads, sums


Filler = Callable[[str, AsyncEngine, Case, str], Awaitable[Case]]


async def growth(name: str, urls: Sequence[str], fill: Filler, settings: Settings) -> list[Cost]:
    """One database per case, filled first, then timed in alternating blocks."""
    small, large = settings.ledger_sizes
    cases = [Case(small, 0), Case(large, 0), Case(small, settings.past_counters)]
    period = period_containing(datetime.now(UTC)).key
    prepared = []
    for case, url in zip(cases, urls, strict=True):
        engine = create_engine(url)
        store = await prepare(engine)
        units = SqlUnitOfWork(url)
        began = time.perf_counter()
        filled = await fill(url, engine, case, period)
        seconds = time.perf_counter() - began
        progress(
            f"{name}: {filled.ledger_rows:,} ledger rows + {filled.past_counters:,} past counter "
            f"rows, filled in {seconds:.1f} s"
        )
        await time_operations(engine, store, units, 20)  # warm up
        prepared.append((engine, store, units, Cost(filled, seconds, [], [], [])))
    for _ in range(max(1, settings.operations // BLOCK)):
        for engine, store, units, cost in prepared:
            operations, reads, sums = await time_operations(engine, store, units, BLOCK)
            cost.operations.extend(operations)
            cost.reads.extend(reads)
            cost.sums.extend(sums)
    for engine, _, units, _ in prepared:
        await units.aclose()
        await engine.dispose()
    progress(f"{name}: operations timed")
    return [cost for _, _, _, cost in prepared]


def print_growth(results: Sequence[tuple[str, list[Cost]]]) -> None:
    print("\n### one operation as the ledger grows\n")
    print(
        "Median ms over operations by one user who owns 1/1,000 of the lines, the databases "
        "timed in alternating blocks of 25. An operation is a reserving unit, a unit that "
        "commits and appends the ledger line, and reading usage. The last row adds counter rows "
        "of past periods (1,000 users × 8 dimensions × months) to the small ledger. Summing "
        "the user's ledger lines for the period is what reading usage does not do (for "
        "contrast).\n"
    )
    print(
        "| database | ledger rows | past counter rows | filled in | operation, ms | vs first row "
        "| reading usage, ms | (summing the ledger, ms) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, costs in results:
        base = statistics.median(costs[0].operations)
        for cost in costs:
            operation = statistics.median(cost.operations)
            print(
                f"| {name} | {cost.case.ledger_rows:,} | {cost.case.past_counters:,} "
                f"| {cost.fill_seconds:.1f} s | {operation * 1000:.2f} "
                f"| **{operation / base:.2f}×** | {statistics.median(cost.reads) * 1000:.2f} "
                f"| {statistics.median(cost.sums) * 1000:.2f} |"
            )
    sys.stdout.flush()
