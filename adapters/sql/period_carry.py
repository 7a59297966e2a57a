"""A billing anchor changed: the users' counters of the period they were in are carried into
the period the new anchor gives, and their held reservations with them, in the caller's
transaction (the plan change's), so that what was used stays counted and what is held settles
where it is counted. The ledger's lines keep the period they were written in."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Connection

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.quota_codec import demands_from_json, demands_to_json
from imagestudio.adapters.sql.quota_counters import key_of, move_counters
from imagestudio.domain.anchor_move import AnchorMove
from imagestudio.domain.quota import Scope
from imagestudio.domain.reservation import ReservationState

_c, _r = t.quota_counters.c, t.reservations.c
_BATCH = 500
"""Users per statement: a plan with many users is carried in parts of the same transaction."""


def carry_over(connection: Connection, users: Sequence[str], move: AnchorMove) -> None:
    """Carry `users`' counters and held reservations from `move.left` into `move.entered`."""
    for start in range(0, len(users), _BATCH):
        part = users[start : start + _BATCH]
        _carry_counters(connection, part, move)
        _carry_reservations(connection, part, move)


def _carry_counters(connection: Connection, users: Sequence[str], move: AnchorMove) -> None:
    leaving = (
        _c.scope == Scope.USER.value,
        _c.owner.in_(users),
        _c.period == move.left,
    )
    rows = connection.execute(
        select(*(_c[name] for name in ("scope", "owner", "name", "period", "used", "held")))
        .where(*leaving)
        .with_for_update()
    ).all()
    if rows:
        move_counters(connection, [(move.carried(key_of(row)), row.used, row.held) for row in rows])
        connection.execute(delete(t.quota_counters).where(*leaving))


_REWRITE = update(t.reservations).where(_r.id == bindparam("rid")).values(demands=bindparam("now"))


def _carry_reservations(connection: Connection, users: Sequence[str], move: AnchorMove) -> None:
    held = connection.execute(
        select(_r.id, _r.demands)
        .where(_r.user_id.in_(users), _r.state == ReservationState.HELD.value)
        .order_by(_r.id)
        .with_for_update()
    ).all()
    rewritten = []
    for row in held:
        demands = demands_from_json(row.demands)
        carried = tuple(move.carried_demand(demand) for demand in demands)
        if carried != demands:
            rewritten.append({"rid": row.id, "now": demands_to_json(carried)})
    if rewritten:
        connection.execute(_REWRITE, rewritten)
