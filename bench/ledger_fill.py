"""Part 2's databases: a case (so many ledger rows, so many counter rows of past periods) and
how a database is filled to it in bulk, on SQLite and on PostgreSQL."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ledger_plan import BUDGETED, PRICE, USERS
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.domain.operation_kind import OperationKind, QuotaCategory
from imagestudio.domain.usage_record import Outcome

CATEGORIES = [f"calls:{category.value}" for category in QuotaCategory] + ["spend"]


@dataclass(frozen=True)
class Case:
    ledger_rows: int
    past_counters: int  # counter rows of past periods: 1,000 users × 8 dimensions × months


def _ledger_rows(start: int, stop: int, period: str) -> Iterator[tuple[Any, ...]]:
    at = "2026-01-01 00:00:00.000000"
    for index in range(start, stop):
        yield (
            f"bulk-{index}",
            USERS[index % len(USERS)],
            "bench/model",
            BUDGETED,
            OperationKind.TEXT_TO_IMAGE.value,
            1,
            PRICE,
            PRICE,
            Outcome.SUCCEEDED.value,
            1_000,
            100,
            period,
            at,
            at,
            "",
        )


def _past_counters(count: int) -> Iterator[tuple[Any, ...]]:
    for index in range(count):
        dimension, month = divmod(index // len(USERS), len(CATEGORIES))[::-1]
        period = f"{2000 + month // 12}-{month % 12 + 1:02d}-01"
        yield ("user", USERS[index % len(USERS)], CATEGORIES[dimension], period, 1, 0)


_LEDGER_COLUMNS = (
    "operation_id, user_id, model_id, provider, kind, outputs, user_charge, provider_cost, "
    "outcome, output_bytes, latency_ms, billing_period, started_at, finished_at, reason"
)


def fill_sqlite(path: str, case: Case, period: str, deadline: float) -> Case:
    """One transaction of batched executemany; stops after `deadline` seconds where it got."""
    began = time.perf_counter()
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        connection.execute("BEGIN IMMEDIATE")
        reached, batch = 0, 50_000
        for low in range(0, case.ledger_rows, batch):
            reached = min(case.ledger_rows, low + batch)
            connection.executemany(
                f"INSERT INTO ledger ({_LEDGER_COLUMNS}) VALUES ({', '.join('?' * 15)})",
                _ledger_rows(low, reached, period),
            )
            if time.perf_counter() - began > deadline:
                break
        connection.executemany(
            "INSERT INTO quota_counters (scope, owner, name, period, used, held) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            _past_counters(case.past_counters),
        )
        connection.execute("COMMIT")
        connection.execute("ANALYZE")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return Case(reached, case.past_counters)


async def fill_postgres(engine: AsyncEngine, case: Case, period: str) -> Case:
    """INSERT … SELECT from generate_series, then ANALYZE."""
    async with engine.begin() as connection:
        await connection.execute(
            text(
                f"INSERT INTO ledger ({_LEDGER_COLUMNS}) "
                "SELECT 'bulk-' || i, 'u' || lpad((i % :users)::text, 4, '0'), 'bench/model', "
                ":provider, 'text-to-image', 1, :price, :price, 'succeeded', 1000, 100, :period, "
                "timestamptz '2026-01-01 00:00:00+00', timestamptz '2026-01-01 00:00:00+00', '' "
                "FROM generate_series(0, :rows - 1) AS i"
            ),
            {
                "users": len(USERS),
                "provider": BUDGETED,
                "price": PRICE,
                "period": period,
                "rows": case.ledger_rows,
            },
        )
        await connection.execute(
            text(
                "INSERT INTO quota_counters (scope, owner, name, period, used, held) "
                "SELECT 'user', 'u' || lpad((i % :users)::text, 4, '0'), "
                "(CAST(:names AS text[]))[(i / :users) % :dimensions + 1], "
                "to_char(date '2000-01-01' + (i / :users / :dimensions) * interval '1 month', "
                "'YYYY-MM-DD'), 1, 0 FROM generate_series(0, :rows - 1) AS i"
            ),
            {
                "users": len(USERS),
                "names": CATEGORIES,
                "dimensions": len(CATEGORIES),
                "rows": case.past_counters,
            },
        )
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("ANALYZE"))
    return case
