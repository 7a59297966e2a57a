"""The `IdempotencyStore` port on SQL: each call its own transaction, running the key
statements of key_statements.py; `running` lists stale running claims for the sweep."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.engine import reading
from imagestudio.adapters.sql.key_statements import (
    Claim,
    claim_key,
    finish_key,
    forget_key,
)
from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.ports.idempotency import (
    DEFAULT_RETENTION,
    RunningClaim,
)

_k = t.idempotency_keys.c


class SqlIdempotencyStore:
    """The `IdempotencyStore[StoredOutcome]` port on the `idempotency_keys` table.

    A key expires `retention` after it was claimed, and may then be claimed afresh.
    """

    def __init__(self, engine: AsyncEngine, retention: timedelta = DEFAULT_RETENTION) -> None:
        if retention <= timedelta(0):
            raise ValueError("idempotency keys must be kept for some time")
        self._engine = engine
        self._reader = reading(engine)
        self._retention = retention

    async def claim(self, user_id: str, key: str, request_hash: str, at: datetime) -> Claim:
        async with self._engine.begin() as connection:
            return await connection.run_sync(
                claim_key, user_id, key, request_hash, at, self._retention
            )

    async def finish(self, user_id: str, key: str, outcome: StoredOutcome) -> None:
        async with self._engine.begin() as connection:
            await connection.run_sync(finish_key, user_id, key, outcome)

    async def forget(self, user_id: str, key: str) -> None:
        """Drop a running claim; a finished key keeps replaying its outcome."""
        async with self._engine.begin() as connection:
            await connection.run_sync(forget_key, user_id, key)

    async def running(
        self, claimed_before: datetime, limit: int, *, after: RunningClaim | None = None
    ) -> tuple[RunningClaim, ...]:
        if limit <= 0:
            return ()
        query = (
            select(_k.user_id, _k.key, _k.claimed_at, _k.operation_id)
            .where(_k.outcome.is_(None))
            .where(_k.claimed_at < claimed_before)
            .where(_k.claimed_at > claimed_before - self._retention)
            .order_by(_k.claimed_at, _k.user_id, _k.key)
            .limit(limit)
        )
        if after is not None:
            query = query.where(
                or_(
                    _k.claimed_at > after.claimed_at,
                    and_(
                        _k.claimed_at == after.claimed_at,
                        or_(
                            _k.user_id > after.user_id,
                            and_(_k.user_id == after.user_id, _k.key > after.key),
                        ),
                    ),
                )
            )
        async with self._reader.connect() as connection:
            rows = (await connection.execute(query)).all()
        return tuple(
            RunningClaim(row.user_id, row.key, row.claimed_at, row.operation_id) for row in rows
        )
