"""The stateful quota machine re-run against the SQLite and PostgreSQL quota: reserved and
settled through `SqlUnitOfWork`, read back through `SqlQuotaStore`.

Same rules, same model, same invariants as in memory; only the adapters differ.
Each example starts from empty tables in one database per test.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine
from test_memory_quota_store_stateful import QuotaMachine

from imagestudio.adapters.sql.engine import create_engine
from imagestudio.adapters.sql.quota_store import SqlQuotaStore
from imagestudio.adapters.sql.tables import metadata
from imagestudio.adapters.sql.unit_of_work import SqlUnitOfWork
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.application.ports.unit_of_work import UnitOfWork
from imagestudio.domain.plan import OperatorBudget, Plan

# Every step is a few real transactions: fewer, shorter runs than in memory keep `make test`
# fast; HYPOTHESIS_PROFILE=thorough runs ten times as many.
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
SQL_SETTINGS = settings(
    max_examples=100 if THOROUGH else 10, stateful_step_count=30 if THOROUGH else 20, deadline=None
)


def sql_machine(url: str) -> type[QuotaMachine]:
    class SqlQuotaMachine(QuotaMachine):
        engine: AsyncEngine | None = None
        sql_units: SqlUnitOfWork | None = None

        def open_store(
            self, plans: list[Plan], users: dict[str, str], budgets: list[OperatorBudget]
        ) -> tuple[Any, UnitOfWork]:
            self.engine = create_engine(url)
            self.sql_units = SqlUnitOfWork(url)
            store = SqlQuotaStore(self.engine, FixedClock(datetime(2024, 1, 1, tzinfo=UTC)))
            self.run(self._empty_tables())
            for plan in plans:
                self.run(store.define_plan(plan))
            for user, plan_name in users.items():
                self.run(store.assign(user, plan_name))
            for budget in budgets:
                self.run(store.set_budget(budget))
            return store, self.sql_units

        async def _empty_tables(self) -> None:
            assert self.engine is not None
            async with self.engine.begin() as connection:
                await connection.run_sync(metadata.create_all)
                for table in reversed(metadata.sorted_tables):
                    await connection.execute(delete(table))

        def teardown(self) -> None:
            if self.sql_units is not None:
                self.run(self.sql_units.aclose())
            if self.engine is not None:
                self.run(self.engine.dispose())
            super().teardown()

    return SqlQuotaMachine


def test_the_sqlite_quota_store_keeps_the_rule_under_random_use(sqlite_url: str) -> None:
    run_state_machine_as_test(sql_machine(sqlite_url), settings=SQL_SETTINGS)


def test_the_postgresql_quota_store_keeps_the_rule_under_random_use(postgres_url: str) -> None:
    run_state_machine_as_test(sql_machine(postgres_url), settings=SQL_SETTINGS)
