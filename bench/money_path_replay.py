"""What the unit of work sends for one reserve + commit, recorded and replayed through the bare
driver (sqlite3, psycopg): the same statements with the same parameters, in the same
transactions, so the comparison stays fair whatever the store becomes.

The recording keeps every statement the store's engine hands to a cursor and every BEGIN,
COMMIT and ROLLBACK (money_path_sql.StatementLog); only the pool's pre-pings are left out, as
they are not the store's SQL. A replay swaps the recorded reservation id and user for fresh
ones wherever they appear (in JSON too) and runs the rest verbatim on an autocommit connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from money_path_sql import StatementLog, census

from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.quota import ReservationRequest, Settlement

PRICE = 30_000  # micro-dollars
SETTLEMENT = Settlement(outputs=1, amount=PRICE)
TEMPLATE_RESERVATION = "bench-recorded-reservation-0000000000"


def reservation_request(user: str) -> ReservationRequest:
    return ReservationRequest(
        user_id=user,
        category=QuotaCategory.IMAGE_GENERATION,
        outputs=1,
        amount=PRICE,
        provider="offline",  # no operator budget: one user's rows only
        at=datetime.now(UTC),
    )


async def reserve_and_commit(store: Any, reservation: str, user: str) -> None:
    """Through the money path's own store, the unit of work (`studio.container.unit_of_work()`):
    a unit that reserves, then one that commits, as an accept and a settle do."""
    async with store.begin() as unit:
        (await unit.quota.reserve(reservation, reservation_request(user))).unwrap()
        await unit.commit()
    async with store.begin() as unit:
        await unit.quota.commit(reservation, SETTLEMENT)
        await unit.commit()


@dataclass(frozen=True)
class Step:
    sql: str
    parameters: Any  # a tuple or a mapping, or a list of them for an executemany
    many: bool
    swapped: bool  # the parameters name the reservation or the user


@dataclass(frozen=True)
class Recording:
    user: str
    steps: tuple[Step, ...]

    @property
    def transactions(self) -> int:
        return len(census([(0, step.sql) for step in self.steps]).transactions)

    def parameters(self, step: Step, reservation: str, user: str) -> Any:
        if not step.swapped:
            return step.parameters
        return _swapped(step.parameters, {TEMPLATE_RESERVATION: reservation, self.user: user})


async def record(store: Any, user: str) -> Recording:
    """One reserve + commit for `user` (warmed up already), as the store sent it."""
    with StatementLog() as log:
        await reserve_and_commit(store, TEMPLATE_RESERVATION, user)
    steps = []
    for sent in log.sent:
        if sent.origin == "ping":
            continue
        parameters = _plain(sent.parameters)
        steps.append(
            Step(
                sent.sql, parameters, sent.many, _mentions(parameters, (TEMPLATE_RESERVATION, user))
            )
        )
    if not any(step.swapped for step in steps):
        raise RuntimeError("the recording never names the reservation: nothing was recorded")
    return Recording(user, tuple(steps))


def replay_sqlite(connection: sqlite3.Connection, recording: Recording, reservation: str) -> None:
    """On a connection opened with `isolation_level=None`: every BEGIN and COMMIT as recorded."""
    for step in recording.steps:
        parameters = recording.parameters(step, reservation, recording.user)
        if step.many:
            connection.executemany(step.sql, parameters)
            continue
        cursor = connection.execute(step.sql, parameters or ())
        if cursor.description is not None:
            cursor.fetchall()


def replay_postgres(
    connection: psycopg.Connection[Any], recording: Recording, reservation: str, user: str
) -> None:
    """On an autocommit connection: BEGIN and COMMIT are sent as recorded."""
    cursor = connection.cursor()
    for step in recording.steps:
        parameters = recording.parameters(step, reservation, user)
        if step.many:
            cursor.executemany(step.sql, parameters)
            continue
        cursor.execute(step.sql, parameters or None)
        if cursor.description is not None:
            cursor.fetchall()


def sqlite_connection(path: str) -> sqlite3.Connection:
    """Set up as the store's engine sets up its connections (adapters/sql/engine.py)."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    for pragma in (
        "journal_mode=WAL",
        "busy_timeout=30000",
        "foreign_keys=ON",
        "synchronous=NORMAL",
    ):
        connection.execute(f"PRAGMA {pragma}")
    return connection


def _plain(parameters: Any) -> Any:
    if isinstance(parameters, Mapping):
        return dict(parameters)
    if isinstance(parameters, tuple):
        return parameters
    if isinstance(parameters, Sequence) and not isinstance(parameters, str):
        return [_plain(each) for each in parameters]
    return parameters


def _mentions(value: Any, names: tuple[str, ...]) -> bool:
    if isinstance(value, str):
        return any(name in value for name in names)
    if isinstance(value, Mapping):
        return any(_mentions(each, names) for each in value.values())
    if isinstance(value, (list, tuple)):
        return any(_mentions(each, names) for each in value)
    return False


def _swapped(value: Any, swaps: dict[str, str]) -> Any:
    if isinstance(value, str):
        for old, new in swaps.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, Mapping):
        return {key: _swapped(each, swaps) for key, each in value.items()}
    if isinstance(value, list):
        return [_swapped(each, swaps) for each in value]
    if isinstance(value, tuple):
        return tuple(_swapped(each, swaps) for each in value)
    return value
