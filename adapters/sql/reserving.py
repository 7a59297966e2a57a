"""Reserving on SQL: the domain's reservation rule in the caller's transaction.

A reservation reads what decides it first (the user's plan, stored bytes, recent requests and
the provider's budget in one statement, then the user's counters, locked), so a refusal writes
nothing; a grant then holds every amount in one statement and records the reservation.
PostgreSQL: the user's row is locked first, in a statement of its own, so that the plan is read
once the lock is held (`_LOCK_USER` says why); this serialises one user's reservations, not
everyone's. Then the user's counters, then one budget stripe (budget_stripes.py): one order for
every transaction. SQLite: every write transaction is BEGIN IMMEDIATE, which serialises writers
across processes. Settling is settling.py's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from returns.result import Failure, Result, Success
from sqlalchemy import bindparam, delete, func, select, type_coerce
from sqlalchemy.engine import Connection

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.budget_stripes import hold_on_stripe
from imagestudio.adapters.sql.driver_statement import DriverStatement
from imagestudio.adapters.sql.quota_codec import (
    demands_to_json,
    plan_from_json,
    request_to_json,
    reservation_from_columns,
)
from imagestudio.adapters.sql.quota_counters import locked_counters, move_counters
from imagestudio.application.ports.unit_of_work import StoreUnavailable
from imagestudio.domain.errors import UnknownUser
from imagestudio.domain.limit import Limit
from imagestudio.domain.plan import OperatorBudget
from imagestudio.domain.plan_fit import Refusal, Standing, user_refusal
from imagestudio.domain.quota import ReservationRequest, Scope, demands_for
from imagestudio.domain.request_rate import WINDOW
from imagestudio.domain.reservation import Reservation, ReservationState

STALE_GRANTS_KEPT = 16
"""Grants older than the window are deleted once this many have gathered, not on every request."""


class ReserveFailed(StoreUnavailable):
    """The database failed while reserving (a deadlock, a lost connection, a busy file): the
    transaction is lost, nothing is held, and nothing may be sent on its strength."""


_u, _p, _o, _b, _r, _g = (
    t.users.c,
    t.plans.c,
    t.asset_owners.c,
    t.operator_budgets.c,
    t.reservations.c,
    t.request_grants.c,
)
_SINCE = bindparam("since", type_=_g.at.type)
_USER_GRANTS = _g.user_id == bindparam("user_id")
_WINDOW = (
    select(func.count()).where(_USER_GRANTS, _g.at > _SINCE).scalar_subquery().label("recent"),
    type_coerce(
        select(func.min(_g.at)).where(_USER_GRANTS, _g.at > _SINCE).scalar_subquery(),
        _g.at.type,
    ).label("oldest"),
    select(func.count()).where(_USER_GRANTS, _g.at <= _SINCE).scalar_subquery().label("stale"),
)
GRANTED = select(*_WINDOW)
"""The user's window in one row, counted by the database: recent, the oldest recent, stale.
Three ranges of the (user, time) index, not one pass over all the user's grants with a test per
grant for each figure: a quarter of the CPU for a user with a few hundred in the window."""
_DECIDING = DriverStatement(
    select(
        _p.name,
        _p.definition,
        _o.bytes.label("stored_bytes"),
        _b.provider.label("budgeted"),
        _b.monthly_micros,
        _r.request,
        _r.demands,
        _r.state,
        _r.settlement,
        *_WINDOW,
    )
    .select_from(
        t.users.join(t.plans, _u.plan_name == _p.name)
        .outerjoin(t.asset_owners, _o.owner == _u.id)
        .outerjoin(t.operator_budgets, _b.provider == bindparam("provider"))
        .outerjoin(t.reservations, _r.id == bindparam("reservation_id"))
    )
    .where(_u.id == bindparam("user_id"))
)
_LOCK_USER = DriverStatement(select(_u.id).where(_u.id == bindparam("user_id")).with_for_update())
"""PostgreSQL: the user's row, locked in a statement of its own, before `_DECIDING` reads.

`_DECIDING` then takes its snapshot once the lock is held, so it reads the plan the user has
from then on: a plan change commits before the lock is granted (and is read) or waits for
this transaction. Locked inside `_DECIDING` itself (FOR UPDATE OF users), a reservation that
waited for the lock read the plan as its statement began: the old definition of a plan
redefined meanwhile, the old billing anchor of one whose counters were just carried to a new
period, and no plan at all for a user moved to another plan (the re-checked join lost its
row, and the user was called unknown)."""
Found = Any
"""The row of `_DECIDING`: the plan, the stored bytes, the budget, a recorded reservation, and
the user's request window (`GRANTED`'s three figures: read whatever the plan's rate, as three
ranges of an index, rather than in a statement of its own once the plan is known)."""
_FORGET_GRANTS = DriverStatement(
    delete(t.request_grants).where(_g.user_id == bindparam("user_id"), _g.at <= bindparam("until"))
)
_GRANT = DriverStatement(
    t.request_grants.insert().values(user_id=bindparam("user_id"), at=bindparam("at"))
)
_RECORD = DriverStatement(
    t.reservations.insert().values(
        {
            name: bindparam(name)
            for name in ("id", "user_id", "state", "request", "demands", "created_at")
        }
    )
)


def reserve_with_room(
    connection: Connection, reservation_id: str, request: ReservationRequest
) -> Result[Reservation, Refusal | UnknownUser]:
    """Hold the request's amounts if the domain's rule (domain/plan_fit.py) admits them; an id
    reserved already gives that reservation back. A refusal holds nothing. When
    `request.needs_storage`, the user's stored bytes are read with the plan, in one statement."""
    found = _deciding(connection, reservation_id, request)
    if found is None:
        return Failure(UnknownUser(request.user_id))
    if found.state is not None:
        return Success(
            reservation_from_columns(
                reservation_id, found.request, found.demands, found.state, found.settlement
            )
        )
    plan = plan_from_json(found.name, found.definition)
    budget = None
    if found.budgeted is not None:
        budget = OperatorBudget(provider=request.provider, monthly=Limit(found.monthly_micros))
    demands = demands_for(request, plan, budget)
    own = [demand for demand in demands if demand.key.scope is Scope.USER]
    rate = plan.requests_per_minute
    recent, oldest = (0, None) if rate.is_unlimited else _window(connection, request, found)
    standing = Standing(
        plan=plan,
        budget=budget,
        counters=locked_counters(connection, [demand.key for demand in own]),
        recent=recent,
        oldest=oldest,
        stored_bytes=found.stored_bytes or 0,
    )
    refused = user_refusal(request, standing, demands)
    if refused is not None:
        return Failure(refused)
    # The operator's budget is shared by every user of the provider: it is taken last, on one
    # of its stripes, and before anything else is held, so its refusal holds nothing either.
    # The stripes apply `budget_refusal` to the budget's whole count (budget_stripes.py).
    recorded = list(own)
    for demand in demands:
        if demand.key.scope is Scope.OPERATOR:
            striped, refused = hold_on_stripe(connection, demand, reservation_id)
            if refused is not None:
                return Failure(refused)
            recorded.append(striped)
    move_counters(connection, [(demand.key, 0, demand.amount) for demand in own])
    _RECORD.run(
        connection,
        {
            "id": reservation_id,
            "user_id": request.user_id,
            "state": ReservationState.HELD.value,
            "request": request_to_json(request),
            "demands": demands_to_json(tuple(recorded)),
            "created_at": request.at,
        },
    )
    if not rate.is_unlimited:
        _GRANT.run(connection, {"user_id": request.user_id, "at": request.at})
    return Success(Reservation(id=reservation_id, request=request, demands=tuple(recorded)))


def _deciding(
    connection: Connection, reservation_id: str, request: ReservationRequest
) -> Found | None:
    params = {
        "user_id": request.user_id,
        "provider": request.provider,
        "reservation_id": reservation_id,
        "since": request.at - WINDOW,
    }
    # SQLite needs no row lock: its writers are serialised by BEGIN IMMEDIATE.
    if (
        connection.dialect.name == "postgresql"
        and _LOCK_USER.run(connection, params).first() is None
    ):
        return None
    return _DECIDING.run(connection, params).first()


def _window(
    connection: Connection, request: ReservationRequest, found: Found
) -> tuple[int, datetime | None]:
    """The user's requests in the window at `request.at` and the oldest of them, as `_DECIDING`
    read them (forgetting stale grants once enough have gathered)."""
    if found.stale >= STALE_GRANTS_KEPT:
        until = request.at - WINDOW
        _FORGET_GRANTS.run(connection, {"user_id": request.user_id, "until": until})
    return int(found.recent), found.oldest
