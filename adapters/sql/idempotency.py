"""Idempotency keys on SQL: the (user, key) primary key decides who claims a key, in any
number of processes.

A claim inserts the row (`ON CONFLICT DO NOTHING RETURNING`, so a lost race is an answer, not
an error that aborts the transaction; PostgreSQL waits for a racing insert to commit or roll
back before it answers). If the key is already there, the row says what to answer; an
expired row is taken over with `UPDATE … WHERE claimed_at = <what we read>`, so of two
processes re-claiming it at once exactly one wins, and the other reads again. `outcome` is NULL
while the first request runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.outcome_codec import decode_outcome, encode_outcome
from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.ports.idempotency import (
    DEFAULT_RETENTION,
    Claimed,
    KeyReusedDifferently,
    Replay,
    StillRunning,
)

_ATTEMPTS = 10
"""A claim re-reads after losing a race; a key that keeps changing under it this often is a bug."""


class SqlIdempotencyStore:
    """The `IdempotencyStore[StoredOutcome]` port on the `idempotency_keys` table.

    A key expires `retention` after it was claimed, and may then be claimed afresh.
    """

    def __init__(self, engine: AsyncEngine, retention: timedelta = DEFAULT_RETENTION) -> None:
        if retention <= timedelta(0):
            raise ValueError("idempotency keys must be kept for some time")
        self._engine = engine
        self._retention = retention

    async def claim(
        self, user_id: str, key: str, request_hash: str, at: datetime
    ) -> Claimed | Replay[StoredOutcome] | StillRunning | KeyReusedDifferently:
        for _ in range(_ATTEMPTS):
            async with self._engine.begin() as connection:
                if await _insert(connection, user_id, key, request_hash, at):
                    return Claimed()
                held = await _held(connection, user_id, key)
                if held is None:
                    continue  # forgotten between our insert and our read: try again
                if at >= held.claimed_at + self._retention:
                    if await _take_over(connection, held, request_hash, at):
                        return Claimed()
                    continue  # another process took it over first: read what it wrote
                if held.request_hash != request_hash:
                    return KeyReusedDifferently()
                if held.outcome is None:
                    return StillRunning()
                return Replay(decode_outcome(held.outcome))
        raise RuntimeError(f"idempotency key {key!r} of {user_id!r} kept changing under a claim")

    async def finish(self, user_id: str, key: str, outcome: StoredOutcome) -> None:
        async with self._engine.begin() as connection:
            stored = await connection.execute(
                update(t.idempotency_keys)
                .where(_key_is(user_id, key), t.idempotency_keys.c.outcome.is_(None))
                .values(outcome=encode_outcome(outcome))
            )
            if stored.rowcount == 1:
                return
            if await _held(connection, user_id, key) is None:
                raise LookupError(f"idempotency key {key!r} of {user_id!r} is not claimed")
            raise ValueError(f"idempotency key {key!r} of {user_id!r} already has its outcome")

    async def forget(self, user_id: str, key: str) -> None:
        """Drop a running claim; a finished key keeps replaying its outcome."""
        async with self._engine.begin() as connection:
            await connection.execute(
                delete(t.idempotency_keys).where(
                    _key_is(user_id, key), t.idempotency_keys.c.outcome.is_(None)
                )
            )


async def _insert(
    connection: AsyncConnection, user_id: str, key: str, request_hash: str, at: datetime
) -> bool:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    inserted = await connection.execute(
        dialect.insert(t.idempotency_keys)
        .values(user_id=user_id, key=key, request_hash=request_hash, claimed_at=at, outcome=None)
        .on_conflict_do_nothing()
        .returning(t.idempotency_keys.c.key)  # an INSERT's rowcount is -1 under psycopg
    )
    return inserted.first() is not None


async def _held(connection: AsyncConnection, user_id: str, key: str) -> Row[Any] | None:
    return (
        await connection.execute(select(t.idempotency_keys).where(_key_is(user_id, key)))
    ).first()


async def _take_over(
    connection: AsyncConnection, held: Row[Any], request_hash: str, at: datetime
) -> bool:
    """Replace an expired row, unless another process replaced it since we read it."""
    taken = await connection.execute(
        update(t.idempotency_keys)
        .where(
            _key_is(held.user_id, held.key),
            t.idempotency_keys.c.claimed_at == held.claimed_at,
        )
        .values(request_hash=request_hash, claimed_at=at, outcome=None)
    )
    return taken.rowcount == 1


def _key_is(user_id: str, key: str) -> ColumnElement[bool]:
    c = t.idempotency_keys.c
    return and_(c.user_id == user_id, c.key == key)
