"""Adjustments on SQL: the ledger line and the spend counter in one transaction."""

from __future__ import annotations

from returns.result import Failure, Result, Success
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.ledger import ledger_row
from imagestudio.adapters.sql.upsert import insert_missing
from imagestudio.domain.errors import RefundTooLarge
from imagestudio.domain.quota import SPEND, Counter, Scope
from imagestudio.domain.usage_record import UsageRecord

c = t.quota_counters.c


class SqlAdjustments:
    """The `Adjustments` port: the spend counter row is locked, checked, moved, and the line
    appended, all or nothing (a refund too large rolls back and writes nothing)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def apply(self, line: UsageRecord) -> Result[Counter, RefundTooLarge]:
        key = {
            "scope": Scope.USER.value,
            "owner": line.user_id,
            "name": SPEND,
            "period": line.billing_period,
        }
        where = (
            c.scope == key["scope"],
            c.owner == key["owner"],
            c.name == key["name"],
            c.period == key["period"],
        )
        try:
            async with self._engine.connect() as connection, connection.begin() as transaction:
                await insert_missing(connection, t.quota_counters, [{**key, "used": 0, "held": 0}])
                row = (
                    await connection.execute(select(c.used, c.held).where(*where).with_for_update())
                ).one()
                if row.used + line.user_charge < 0:
                    await transaction.rollback()
                    return Failure(
                        RefundTooLarge(
                            user_id=line.user_id,
                            period=line.billing_period,
                            used=row.used,
                            refund=-line.user_charge,
                        )
                    )
                await connection.execute(
                    update(t.quota_counters).where(*where).values(used=c.used + line.user_charge)
                )
                await connection.execute(t.ledger.insert().values(**ledger_row(line)))
        except IntegrityError as error:
            raise ValueError(f"operation {line.operation_id} already has a ledger line") from error
        return Success(Counter(used=row.used + line.user_charge, held=row.held))
