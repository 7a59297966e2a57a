"""Idempotency keys on SQL: the (user, key) primary key decides who claims a key, in any
number of processes.

A claim inserts the row (`ON CONFLICT DO NOTHING RETURNING`, so a lost race is an answer, not
an error that aborts the transaction; PostgreSQL waits for a racing insert to commit or roll
back before it answers). If the key is already there, the row says what to answer; an
expired row is taken over with `UPDATE … WHERE claimed_at = <what we read>`, so of two
processes re-claiming it at once exactly one wins, and the other reads again. `outcome` is NULL
while the first request runs. A claim made for an operation (the unit of work's) also takes
over a key still running for an operation that is settled or gone: its process died between
two attempts, and nobody else will ever finish the key.

The statements and steps here run on one connection, inside a transaction: the unit of work's,
or the store's own (idempotency.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, select, update
from sqlalchemy.engine import Connection

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.driver_statement import DriverStatement
from imagestudio.adapters.sql.outcome_codec import decode_outcome, encode_outcome
from imagestudio.adapters.sql.upsert import per_dialect
from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.ports.idempotency import (
    Claimed,
    KeyReusedDifferently,
    Replay,
    StillRunning,
)
from imagestudio.application.ports.unit_of_work import StaleOperation
from imagestudio.domain.operation import OperationStatus

Claim = Claimed | Replay[StoredOutcome] | StillRunning | KeyReusedDifferently

_ATTEMPTS = 10
"""A claim re-reads after losing a race; a key that keeps changing under it this often is a bug."""

_k, _o = t.idempotency_keys.c, t.operations.c
_THIS_KEY = and_(_k.user_id == bindparam("for_user"), _k.key == bindparam("for_key"))
_RUNNING = and_(_THIS_KEY, _k.outcome.is_(None))
_KEY_COLUMNS = [column.name for column in t.idempotency_keys.columns if column.name != "outcome"]
_INSERT = DriverStatement(
    per_dialect(
        lambda insert: (
            insert(t.idempotency_keys)
            .values({name: bindparam(name) for name in _KEY_COLUMNS})
            .on_conflict_do_nothing()
            .returning(_k.key)
        )  # an INSERT's rowcount is -1 under psycopg
    )
)
_HELD = DriverStatement(
    select(t.idempotency_keys, _o.status)
    .select_from(t.idempotency_keys.outerjoin(t.operations, _o.id == _k.operation_id))
    .where(_THIS_KEY)
)
_TAKE_OVER = DriverStatement(
    update(t.idempotency_keys)
    .where(_THIS_KEY, _k.claimed_at == bindparam("seen_claimed_at"))
    .where(_k.operation_id.is_not_distinct_from(bindparam("seen_operation_id")))
    .values(
        request_hash=bindparam("new_hash"),
        claimed_at=bindparam("new_claimed_at"),
        outcome=None,
        operation_id=bindparam("new_operation_id"),
    )
)
_FINISH = DriverStatement(
    update(t.idempotency_keys).where(_RUNNING).values(outcome=bindparam("new_outcome"))
)
_FORGET = DriverStatement(delete(t.idempotency_keys).where(_RUNNING))
_FOR_OPERATION = _k.operation_id == bindparam("for_operation")
_FINISH_FOR = DriverStatement(
    update(t.idempotency_keys)
    .where(_RUNNING, _FOR_OPERATION)
    .values(outcome=bindparam("new_outcome"))
)
_FORGET_FOR = DriverStatement(delete(t.idempotency_keys).where(_RUNNING, _FOR_OPERATION))
_HAND_OVER = DriverStatement(
    update(t.idempotency_keys).where(_RUNNING).values(operation_id=bindparam("new_operation_id"))
)
_STALE: frozenset[str | None] = frozenset(
    {None, *(status.value for status in OperationStatus if status.is_final)}
)
"""The statuses (None: no such operation) of an operation that will never finish its key;
`unknown` is not among them: it may still be recovered."""


def claim_key(
    connection: Connection,
    user_id: str,
    key: str,
    request_hash: str,
    at: datetime,
    retention: timedelta,
    operation_id: str | None = None,
) -> Claim:
    """Claim the key (for `operation_id`, if given), or say what already holds it."""
    row = {
        "user_id": user_id,
        "key": key,
        "request_hash": request_hash,
        "claimed_at": at,
        "operation_id": operation_id,
    }
    for _ in range(_ATTEMPTS):
        if _INSERT.run(connection, row).first() is not None:
            return Claimed()
        held = held_key(connection, user_id, key)
        if held is None:
            continue  # forgotten between our insert and our read: try again
        expired = at >= held.claimed_at + retention
        if not expired and held.request_hash != request_hash:
            return KeyReusedDifferently()
        if not expired and held.outcome is not None:
            return Replay(decode_outcome(held.outcome))
        if not expired and (operation_id is None or held.status not in _STALE):
            return StillRunning()
        if take_over(connection, held, request_hash, at, operation_id):
            return Claimed()
        # Another process took it over first: read what it wrote.
    raise RuntimeError(f"idempotency key {key!r} of {user_id!r} kept changing under a claim")


def held_key(connection: Connection, user_id: str, key: str) -> Any:
    """The key's row, with the status of the operation it names (`status`, None if none)."""
    return _HELD.run(connection, {"for_user": user_id, "for_key": key}).first()


def take_over(
    connection: Connection,
    held: Any,
    request_hash: str,
    at: datetime,
    operation_id: str | None = None,
) -> bool:
    """Replace a stale row, unless another process replaced it since we read it."""
    taken = _TAKE_OVER.run(
        connection,
        {
            "for_user": held.user_id,
            "for_key": held.key,
            "seen_claimed_at": held.claimed_at,
            "seen_operation_id": held.operation_id,
            "new_hash": request_hash,
            "new_claimed_at": at,
            "new_operation_id": operation_id,
        },
    )
    return taken.rowcount == 1


def finish_key(
    connection: Connection,
    user_id: str,
    key: str,
    outcome: StoredOutcome,
    operation_id: str | None = None,
) -> None:
    """Store the outcome of a running claim (`LookupError` if none, `ValueError` if finished);
    given `operation_id`, only while the claim runs for it (`StaleOperation` otherwise)."""
    row = {"for_user": user_id, "for_key": key, "new_outcome": encode_outcome(outcome)}
    if operation_id is not None:
        if _FINISH_FOR.run(connection, {**row, "for_operation": operation_id}).rowcount != 1:
            raise StaleOperation(operation_id)
        return
    stored = _FINISH.run(connection, row)
    if stored.rowcount == 1:
        return
    if held_key(connection, user_id, key) is None:
        raise LookupError(f"idempotency key {key!r} of {user_id!r} is not claimed")
    raise ValueError(f"idempotency key {key!r} of {user_id!r} already has its outcome")


def forget_key(
    connection: Connection, user_id: str, key: str, operation_id: str | None = None
) -> None:
    """Drop a running claim (given `operation_id`, only while it runs for that operation, and
    `StaleOperation` otherwise); a finished key keeps replaying its outcome."""
    if operation_id is None:
        _FORGET.run(connection, {"for_user": user_id, "for_key": key})
        return
    row = {"for_user": user_id, "for_key": key, "for_operation": operation_id}
    if _FORGET_FOR.run(connection, row).rowcount != 1:
        raise StaleOperation(operation_id)


def hand_over_key(connection: Connection, user_id: str, key: str, operation_id: str) -> None:
    """Make a running claim belong to `operation_id`."""
    _HAND_OVER.run(
        connection, {"for_user": user_id, "for_key": key, "new_operation_id": operation_id}
    )
