"""The alert log on SQL: the primary key keeps each alert once, across processes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.engine import reading
from imagestudio.domain.quota_alert import QuotaAlert

c = t.alerts.c


class SqlAlertLog:
    """The `AlertLog` port on the `alerts` table."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._reader = reading(engine)

    async def record(self, alert: QuotaAlert) -> bool:
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(t.alerts).on_conflict_do_nothing().returning(c.threshold)
        async with self._engine.begin() as connection:
            result = await connection.execute(
                insert,
                {
                    "user_id": alert.user_id,
                    "period": alert.period,
                    "dimension": alert.dimension,
                    "threshold": alert.threshold,
                    "used": alert.used,
                    "maximum": alert.limit,
                    "at": alert.at,
                },
            )
            return result.first() is not None  # a row comes back only when it was inserted

    async def for_user(self, user_id: str, period: str | None = None) -> tuple[QuotaAlert, ...]:
        query = select(t.alerts).where(c.user_id == user_id)
        if period is not None:
            query = query.where(c.period == period)
        async with self._reader.connect() as connection:
            rows = await connection.execute(query.order_by(c.at, c.dimension, c.threshold))
            return tuple(
                QuotaAlert(
                    user_id=row.user_id,
                    dimension=row.dimension,
                    period=row.period,
                    threshold=row.threshold,
                    used=row.used,
                    limit=row.maximum,
                    at=row.at,
                )
                for row in rows
            )
