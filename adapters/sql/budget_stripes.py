"""The operator's budget split into stripes, so users of one provider do not queue on one row.

A reservation holds its amount on one stripe (chosen from its id), under that stripe's
allotment, with one conditional UPDATE: the fast path locks one of K rows. When the stripe is
short (or missing, or its allotment was cleared by a budget change), the slow path locks all K
stripes and re-splits what is left: each stripe keeps what it uses and holds, the spare is shared
out, and the asking stripe gets the amount first. Allotments always sum to the budget and each
stripe stays within its own, so the sum of all stripes stays within the budget — exactly.

One lock order: a failed fast path holds no stripe (a conditional UPDATE locks only the row it
changes), and the slow path creates and locks the stripes in name order, so two re-splits, or a
re-split and a fast path, never wait on each other in a cycle (eight processes making the first
reservation of a period used to deadlock here).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.driver_statement import DriverStatement
from imagestudio.adapters.sql.quota_counters import move_counters
from imagestudio.adapters.sql.upsert import insert_missing, per_dialect
from imagestudio.domain.errors import QuotaRefusal
from imagestudio.domain.plan import SpentBefore
from imagestudio.domain.plan_fit import budget_refusal
from imagestudio.domain.quota import BUDGET, Counter, Demand, DimensionKey, Scope, dimension_key

STRIPES = 8

_c = t.quota_counters.c
_BUDGET = (
    _c.scope == Scope.OPERATOR.value,
    _c.owner == bindparam("provider"),
    _c.period == bindparam("for_period"),
)
_HOLD_WITHIN = DriverStatement(
    update(t.quota_counters)
    .where(*_BUDGET, _c.name == bindparam("stripe"), _c.allotment.is_not(None))
    .where(_c.used + _c.held + bindparam("amount") <= _c.allotment)
    .values(held=_c.held + bindparam("amount"))
    .returning(_c.held)
)
_LOCK_ALL = (
    select(_c.name, _c.used, _c.held)
    .where(*_BUDGET, _c.name.in_(bindparam("stripes", expanding=True)))
    .order_by(_c.name)
    .with_for_update()
)
_RESPLIT = (
    update(t.quota_counters)
    .where(*_BUDGET, _c.name == bindparam("stripe"))
    .values(allotment=bindparam("new_allotment"), held=_c.held + bindparam("amount"))
)
_CREATE = per_dialect(
    lambda insert: (
        insert(t.operator_budgets)
        .values(provider=bindparam("provider"), monthly_micros=None)
        .on_conflict_do_nothing()
        .returning(t.operator_budgets.c.provider)
    )
)
_CLEAR = (
    update(t.quota_counters)
    .where(_c.scope == Scope.OPERATOR.value, _c.owner == bindparam("provider"))
    .values(allotment=None)
)


def stripe_of(key: DimensionKey, index: int) -> DimensionKey:
    return replace(key, name=f"{key.name}:{index}")


def _choose(reservation_id: str, stripes: int) -> int:
    # Stable across processes (Python's hash() is salted per process).
    return int.from_bytes(hashlib.sha256(reservation_id.encode()).digest()[:8], "big") % stripes


def hold_on_stripe(
    connection: Connection, demand: Demand, reservation_id: str, stripes: int = STRIPES
) -> tuple[Demand, QuotaRefusal | None]:
    """Hold `demand` (on the whole budget) on one stripe; the demand returned names the stripe.
    A refusal holds nothing."""
    chosen = _choose(reservation_id, stripes)
    held = replace(demand, key=stripe_of(demand.key, chosen))
    if demand.limit.maximum is None:  # unlimited: counted, never refused, no allotment to keep
        move_counters(connection, [(held.key, 0, demand.amount)])
        return held, None
    budget = {"provider": demand.key.owner, "for_period": demand.key.period}
    fast = _HOLD_WITHIN.run(
        connection, {**budget, "stripe": held.key.name, "amount": demand.amount}
    )
    if fast.first() is not None:
        return held, None
    return held, _resplit_and_hold(connection, demand, chosen, stripes)


def _resplit_and_hold(
    connection: Connection, demand: Demand, chosen: int, stripes: int
) -> QuotaRefusal | None:
    assert demand.limit.maximum is not None
    keys = [stripe_of(demand.key, index) for index in range(stripes)]
    names = sorted(key.name for key in keys)
    insert_missing(
        connection,
        t.quota_counters,
        [_new_stripe(demand.key, name) for name in names],  # in the order they are locked
    )
    budget = {"provider": demand.key.owner, "for_period": demand.key.period}
    rows = {row.name: row for row in connection.execute(_LOCK_ALL, {**budget, "stripes": names})}
    used = sum(row.used for row in rows.values())
    held = sum(row.held for row in rows.values())
    spare = demand.limit.maximum - used - held
    if spare < demand.amount:
        return budget_refusal([demand], {demand.key: Counter(used=used, held=held)})
    share, extra = divmod(spare - demand.amount, stripes)
    changes = []
    for index, key in enumerate(keys):
        row = rows[key.name]
        amount = demand.amount if index == chosen else 0
        allotment = row.used + row.held + share + (1 if index < extra else 0) + amount
        changes.append({**budget, "stripe": key.name, "new_allotment": allotment, "amount": amount})
    connection.execute(_RESPLIT, changes)
    return None


def _new_stripe(budget: DimensionKey, name: str) -> dict[str, object]:
    return {
        "scope": budget.scope.value,
        "owner": budget.owner,
        "name": name,
        "period": budget.period,
        "used": 0,
        "held": 0,
        "allotment": None,
    }


def create_budget(connection: Connection, provider: str) -> bool:
    """The provider's budget row, made uncapped if missing; whether this call made it (of two
    at once, one does: the other's insert gives way)."""
    return (
        connection.execute(_CREATE[connection.dialect.name], {"provider": provider}).first()
        is not None
    )


def count_spent_before(connection: Connection, provider: str, spent: SpentBefore) -> None:
    """Count what the provider billed this month before its budget existed, on stripe 0 (a
    re-split sums what every stripe used)."""
    key = dimension_key(Scope.OPERATOR, provider, BUDGET, spent.period)
    move_counters(connection, [(stripe_of(key, 0), spent.amount, 0)])


def clear_allotments(connection: Connection, provider: str) -> None:
    """After a budget change every stripe is re-split (against the new budget) on next use."""
    connection.execute(_CLEAR, {"provider": provider})
