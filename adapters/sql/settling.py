"""Settling a reservation on SQL, in the caller's transaction: one conditional UPDATE of the
reservation (so it happens once) and one move of its counters, which returns them as it left
them (quota_counters.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, update
from sqlalchemy.engine import Connection

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.driver_statement import DriverStatement
from imagestudio.adapters.sql.quota_codec import demands_from_json, settlement_to_json
from imagestudio.adapters.sql.quota_counters import move_counters
from imagestudio.domain.quota import Counter, DimensionKey, Settlement, settled_amount
from imagestudio.domain.reservation import ReservationState

_r = t.reservations.c
_SETTLE = DriverStatement(
    update(t.reservations)
    .where(_r.id == bindparam("reservation_id"), _r.state == ReservationState.HELD.value)
    .values(state=bindparam("new_state"), settlement=bindparam("new_settlement"))
    .returning(_r.demands)
)


@dataclass(frozen=True, slots=True)
class Settled:
    """Every counter a settlement moved, as it left them."""

    counters: dict[DimensionKey, Counter]


def settle(
    connection: Connection, reservation_id: str, settlement: Settlement | None
) -> Settled | None:
    """Commit the held reservation (with `settlement`) or release it (without): its amounts
    move out of `held`, the settled ones into `used`. None, changing nothing, if it is not held
    (settled already, or never reserved): a reservation settles exactly once."""
    state = ReservationState.RELEASED if settlement is None else ReservationState.COMMITTED
    row = _SETTLE.run(
        connection,
        {
            "reservation_id": reservation_id,
            "new_state": state.value,
            "new_settlement": settlement_to_json(settlement),
        },
    ).first()
    if row is None:
        return None
    demands = demands_from_json(row.demands)
    moved = move_counters(
        connection,
        [
            (
                demand.key,
                0 if settlement is None else settled_amount(demand, settlement),
                -demand.amount,
            )
            for demand in demands
        ],
    )
    return Settled(moved)
