"""Adjustments on SQL: the ledger line and the spend counter in one transaction."""

from __future__ import annotations

from returns.result import Failure, Result
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql.ledger import insert_line
from imagestudio.adapters.sql.quota_counters import adjust_spend
from imagestudio.domain.errors import RefundTooLarge
from imagestudio.domain.quota import Counter
from imagestudio.domain.usage_record import UsageRecord


class SqlAdjustments:
    """The `Adjustments` port: the spend counter is moved (never below zero) and the line
    appended, all or nothing (a refund too large writes nothing)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def apply(self, line: UsageRecord) -> Result[Counter, RefundTooLarge]:
        async with self._engine.begin() as connection:
            return await connection.run_sync(_apply, line)


def _apply(connection: Connection, line: UsageRecord) -> Result[Counter, RefundTooLarge]:
    moved = adjust_spend(connection, line.user_id, line.billing_period, line.user_charge)
    if not isinstance(moved, Failure):
        insert_line(connection, line)  # a second line raises: the counter's move rolls back
    return moved
