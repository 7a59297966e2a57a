"""Quota counter rows: read under lock and moved by deltas, always in one global order.

The order is a user's rows by key, then the shared operator rows: every transaction that locks
several counters takes them in it, so no two transactions wait on each other in a cycle. Each
shape of statement (so many keys, this dialect) is built once and reused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any, cast

from returns.result import Failure, Result, Success
from sqlalchemy import and_, bindparam, or_, select, text, update
from sqlalchemy.engine import Connection

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.driver_statement import DriverStatement
from imagestudio.adapters.sql.upsert import per_dialect
from imagestudio.domain.errors import RefundTooLarge
from imagestudio.domain.quota import SPEND, Counter, DimensionKey, Scope

KEY_COLUMNS = ("scope", "owner", "name", "period")
_c = t.quota_counters.c
_KEY = [_c[name] for name in KEY_COLUMNS]

Move = tuple[DimensionKey, int, int]
"""A counter's key, what to add to its `used`, and what to add to its `held`."""


def lock_order(key: DimensionKey) -> tuple[bool, DimensionKey]:
    """Sort key of the one global order counters are locked in."""
    return (key.scope is Scope.OPERATOR, key)


SCOPES = {scope.value: scope for scope in Scope}
"""A scope by its stored value: a dict look-up, not an Enum call, on every row read."""


def key_of(row: Any) -> DimensionKey:
    """The key of a `quota_counters` row."""
    return DimensionKey(SCOPES[row.scope], row.owner, row.name, row.period)


@cache
def _names(index: int) -> tuple[str, str, str, str]:
    """The parameter names of the `index`-th key of a statement."""
    return cast(tuple[str, str, str, str], tuple(f"{column}{index}" for column in KEY_COLUMNS))


def _key_params(keys: Iterable[DimensionKey]) -> dict[str, object]:
    params: dict[str, object] = {}
    for index, key in enumerate(keys):
        scope, owner, name, period = _names(index)
        params[scope] = key.scope.value
        params[owner] = key.owner
        params[name] = key.name
        params[period] = key.period
    return params


@cache
def _select_locked(keys: int) -> DriverStatement:
    chosen = (
        and_(*(_c[name] == bindparam(f"{name}{i}") for name in KEY_COLUMNS)) for i in range(keys)
    )
    return DriverStatement(
        select(*_KEY, _c.used, _c.held)
        # OR'ed key equalities, not a row-value IN: SQLite answers the latter with a full scan.
        .where(or_(*chosen))
        .order_by(_c.scope == Scope.OPERATOR.value, *_KEY)
        .with_for_update()
    )


def locked_counters(
    connection: Connection, keys: Sequence[DimensionKey]
) -> dict[DimensionKey, Counter]:
    """The counters of `keys` that exist (a missing one is zero), locked until the transaction
    ends (PostgreSQL; SQLite's BEGIN IMMEDIATE holds the whole database already)."""
    ordered = sorted(set(keys), key=lock_order)
    rows = _select_locked(len(ordered)).run(connection, _key_params(ordered))
    return {key_of(row): Counter(used=row.used, held=row.held) for row in rows}


@cache
def _move(keys: int) -> DriverStatement:
    """One multi-row upsert of `keys` counters, written as text: SQLAlchemy cannot cache the
    compiled form of a multi-VALUES insert (it would compile it on every call, most of a
    reservation's cost), while a text statement is cached; the syntax is the same on SQLite
    and PostgreSQL."""
    columns = (*KEY_COLUMNS, "used", "held")
    rows = ", ".join(
        "(" + ", ".join(f":{column}{index}" for column in columns) + ")" for index in range(keys)
    )
    key = ", ".join(KEY_COLUMNS)
    return DriverStatement(
        text(
            f"INSERT INTO {t.quota_counters.name} ({', '.join(columns)}) VALUES {rows} "
            f"ON CONFLICT ({key}) DO UPDATE SET "
            f"used = {t.quota_counters.name}.used + excluded.used, "
            f"held = {t.quota_counters.name}.held + excluded.held "
            f"RETURNING {key}, used, held"
        ).columns(*_KEY, _c.used, _c.held)  # the rows it returns, known without asking
    )


@cache
def _moved_names(index: int) -> tuple[str, str]:
    return f"used{index}", f"held{index}"


def move_counters(connection: Connection, moves: Iterable[Move]) -> dict[DimensionKey, Counter]:
    """Add to each key's `used` and `held` (creating missing counters), in one statement that
    takes the rows in the global order; the counters as the move left them."""
    summed: dict[DimensionKey, tuple[int, int]] = {}
    for key, used, held in moves:
        before = summed.get(key, (0, 0))
        summed[key] = (before[0] + used, before[1] + held)
    ordered = sorted(summed, key=lock_order)
    if not ordered:
        return {}
    params = _key_params(ordered)
    for index, key in enumerate(ordered):
        used_name, held_name = _moved_names(index)
        params[used_name], params[held_name] = summed[key]
    rows = _move(len(ordered)).run(connection, params)
    return {key_of(row): Counter(used=row.used, held=row.held) for row in rows}


_SPEND = and_(
    _c.scope == Scope.USER.value,
    _c.owner == bindparam("for_user"),
    _c.name == SPEND,
    _c.period == bindparam("for_period"),
)
_REFUND = DriverStatement(
    update(t.quota_counters)
    .where(_SPEND, _c.used + bindparam("amount") >= 0)
    .values(used=_c.used + bindparam("amount"))
    .returning(_c.used, _c.held)
)
_SPENT = DriverStatement(select(_c.used).where(_SPEND))
_CHARGE = DriverStatement(
    per_dialect(
        lambda insert: (
            insert(t.quota_counters)
            .values(
                scope=Scope.USER.value,
                owner=bindparam("for_user"),
                name=SPEND,
                period=bindparam("for_period"),
                used=bindparam("amount"),
                held=0,
            )
            .on_conflict_do_update(
                index_elements=_KEY, set_={"used": _c.used + bindparam("amount")}
            )
            .returning(_c.used, _c.held)
        )
    )
)


def adjust_spend(
    connection: Connection, user_id: str, period: str, amount: int
) -> Result[Counter, RefundTooLarge]:
    """Move the user's spend for `period` by `amount` (negative: a refund), never below 0."""
    params = {"for_user": user_id, "for_period": period, "amount": amount}
    if amount >= 0:
        row = _CHARGE.run(connection, params).one()
        return Success(Counter(used=row.used, held=row.held))
    refunded = _REFUND.run(connection, params).first()
    if refunded is not None:
        return Success(Counter(used=refunded.used, held=refunded.held))
    used = _SPENT.run(connection, params).scalar() or 0
    return Failure(RefundTooLarge(user_id=user_id, period=period, used=used, refund=-amount))
