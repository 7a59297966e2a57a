"""The operator's budget split into stripes, so users of one provider do not queue on one row.

A reservation holds its amount on one stripe (chosen from its id), under that stripe's
allotment, with one conditional UPDATE: the fast path locks one of K rows. When the stripe is
short (or its allotment was cleared by a budget change), the slow path locks all K stripes in
order and re-splits what is left: each stripe keeps what it uses and holds, the spare is shared
out, and the asking stripe gets the amount first. Allotments always sum to the budget and each
stripe stays within its own, so the sum of all stripes stays within the budget — exactly.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.upsert import insert_missing
from imagestudio.domain.errors import QuotaRefusal
from imagestudio.domain.quota import Counter, Demand, DimensionKey, refusal

STRIPES = 8


def stripe_of(key: DimensionKey, index: int) -> DimensionKey:
    return replace(key, name=f"{key.name}:{index}")


def _choose(reservation_id: str, stripes: int) -> int:
    # Stable across processes (Python's hash() is salted per process).
    return int.from_bytes(hashlib.sha256(reservation_id.encode()).digest()[:8], "big") % stripes


def _is(key: DimensionKey) -> ColumnElement[bool]:
    c = t.quota_counters.c
    return and_(
        c.scope == key.scope.value, c.owner == key.owner, c.name == key.name, c.period == key.period
    )


def _row(key: DimensionKey) -> dict[str, object]:
    return {
        "scope": key.scope.value,
        "owner": key.owner,
        "name": key.name,
        "period": key.period,
        "used": 0,
        "held": 0,
        "allotment": None,
    }


async def hold_on_stripe(
    connection: AsyncConnection, demand: Demand, reservation_id: str, stripes: int = STRIPES
) -> tuple[Demand, QuotaRefusal | None]:
    """Hold `demand` (on the whole budget) on one stripe; the demand returned names the stripe."""
    chosen = _choose(reservation_id, stripes)
    key = stripe_of(demand.key, chosen)
    held = replace(demand, key=key)
    c = t.quota_counters.c
    await insert_missing(connection, t.quota_counters, [_row(key)])
    condition = [_is(key)]
    if demand.limit.maximum is not None:
        condition.append(c.allotment.is_not(None))
        condition.append(c.used + c.held + demand.amount <= c.allotment)
    fast = await connection.execute(
        update(t.quota_counters)
        .where(*condition)
        .values(held=c.held + demand.amount)
        .returning(c.held)
    )
    if fast.first() is not None:
        return held, None
    return held, await _resplit_and_hold(connection, demand, chosen, stripes)


async def _resplit_and_hold(
    connection: AsyncConnection, demand: Demand, chosen: int, stripes: int
) -> QuotaRefusal | None:
    assert demand.limit.maximum is not None
    keys = [stripe_of(demand.key, index) for index in range(stripes)]
    await insert_missing(connection, t.quota_counters, [_row(key) for key in keys])
    c = t.quota_counters.c
    rows = {
        row.name: row
        for row in await connection.execute(
            select(c.name, c.used, c.held)
            .where(or_(*(_is(key) for key in keys)))
            .order_by(c.name)
            .with_for_update()
        )
    }
    used = sum(row.used for row in rows.values())
    held = sum(row.held for row in rows.values())
    spare = demand.limit.maximum - used - held
    if spare < demand.amount:
        return refusal([demand], {demand.key: Counter(used=used, held=held)})
    share, extra = divmod(spare - demand.amount, stripes)
    for index, key in enumerate(keys):
        row = rows[key.name]
        allotment = row.used + row.held + share + (1 if index < extra else 0)
        if index == chosen:
            allotment += demand.amount
        await connection.execute(
            update(t.quota_counters)
            .where(_is(key))
            .values(
                allotment=allotment,
                held=c.held + (demand.amount if index == chosen else 0),
            )
        )
    return None


async def clear_allotments(connection: AsyncConnection, provider: str) -> None:
    """After a budget change every stripe is re-split (against the new budget) on next use."""
    c = t.quota_counters.c
    await connection.execute(
        update(t.quota_counters)
        .where(c.scope == "operator", c.owner == provider)
        .values(allotment=None)
    )
