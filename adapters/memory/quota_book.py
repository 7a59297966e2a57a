"""The quota rules on the state they read and change: the in-memory store runs them on its own
dicts, a unit of work on a draft of them (overlays, merged at commit)."""

from __future__ import annotations

from collections.abc import Callable, Collection, MutableMapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from returns.result import Failure, Result, Success

from imagestudio.domain.anchor_move import AnchorMove
from imagestudio.domain.errors import RefundTooLarge
from imagestudio.domain.limit import Limit
from imagestudio.domain.plan import OperatorBudget, Plan
from imagestudio.domain.plan_fit import Refusal, Standing, reservation_refusal
from imagestudio.domain.quota import (
    SPEND,
    Counter,
    DimensionKey,
    ReservationRequest,
    Scope,
    Settlement,
    demands_for,
    settled_amount,
)
from imagestudio.domain.request_rate import in_window, with_grant
from imagestudio.domain.reservation import Reservation, ReservationState


@dataclass(frozen=True, slots=True)
class QuotaBook:
    """Counters, reservations and each user's recently granted requests."""

    counters: MutableMapping[DimensionKey, Counter]
    reservations: MutableMapping[str, Reservation]
    granted: MutableMapping[str, list[datetime]]


def decide(
    book: QuotaBook,
    rid: str,
    request: ReservationRequest,
    standing: Standing,
) -> Result[Reservation, Refusal]:
    """The reservation the rule grants on `standing` (an id reserved already: that one),
    changing nothing."""
    if rid in book.reservations:
        return Success(book.reservations[rid])
    demands = demands_for(request, standing.plan, standing.budget)
    refused = reservation_refusal(request, standing, demands)
    if refused is not None:
        return Failure(refused)
    return Success(Reservation(id=rid, request=request, demands=demands))


def standing_in(
    book: QuotaBook,
    request: ReservationRequest,
    plan: Plan,
    budget: OperatorBudget | None,
    stored: Callable[[str], int],
) -> Standing:
    """What deciding `request` reads of the book: the window only for a finite rate, the
    stored bytes only for a request that stores outputs under a finite storage limit."""
    recent: Sequence[datetime] = ()
    if not plan.requests_per_minute.is_unlimited:
        recent = in_window(book.granted.get(request.user_id, ()), request.at)
    counted = request.needs_storage and not plan.storage_bytes.is_unlimited
    return Standing(
        plan=plan,
        budget=budget,
        counters=book.counters,
        recent=len(recent),
        oldest=recent[0] if recent else None,
        stored_bytes=stored(request.user_id) if counted else 0,
    )


def hold(book: QuotaBook, reservation: Reservation, rate: Limit) -> None:
    """Hold a granted reservation's amounts (and count its request against `rate`)."""
    request = reservation.request
    if not rate.is_unlimited:
        book.granted[request.user_id] = with_grant(
            book.granted.get(request.user_id, ()), request.at
        )
    for demand in reservation.demands:
        counter = book.counters.get(demand.key, Counter())
        book.counters[demand.key] = Counter(used=counter.used, held=counter.held + demand.amount)
    book.reservations[reservation.id] = reservation


def settle(book: QuotaBook, rid: str, settlement: Settlement | None) -> Reservation | None:
    """Commit (with `settlement`) or release (without) a held reservation, exactly once: one
    settled already is given back unchanged; None if there is no such reservation."""
    reservation = book.reservations.get(rid)
    if reservation is None or not reservation.is_open:
        return reservation
    moved = [
        (demand, 0 if settlement is None else settled_amount(demand, settlement))
        for demand in reservation.demands
    ]
    for demand, used in moved:
        counter = book.counters[demand.key]
        book.counters[demand.key] = Counter(
            used=counter.used + used, held=counter.held - demand.amount
        )
    state = ReservationState.RELEASED if settlement is None else ReservationState.COMMITTED
    settled = Reservation(  # not `replace`, which walks the fields in Python
        id=rid,
        request=reservation.request,
        demands=reservation.demands,
        state=state,
        settlement=settlement,
    )
    book.reservations[rid] = settled
    return settled


def adjust(
    book: QuotaBook, user_id: str, period: str, amount: int
) -> Result[Counter, RefundTooLarge]:
    """Move the user's spend for `period` by `amount` (negative: a refund), never below 0."""
    key = DimensionKey(Scope.USER, user_id, SPEND, period)
    counter = book.counters.get(key, Counter())
    if counter.used + amount < 0:
        return Failure(
            RefundTooLarge(user_id=user_id, period=period, used=counter.used, refund=-amount)
        )
    moved = book.counters[key] = replace(counter, used=counter.used + amount)
    return Success(moved)


def carry_over(book: QuotaBook, users: Collection[str], move: AnchorMove) -> None:
    """Move `users`' counters of the period they were in into the period their new anchor puts
    them in (added to what is there), and their open reservations with them, so that what
    they used stays counted and what is held settles where it is counted."""
    left = [
        key
        for key in book.counters
        if key.scope is Scope.USER and key.period == move.left and key.owner in users
    ]
    for key in left:
        counter = book.counters.pop(key)
        target = move.carried(key)
        there = book.counters.get(target, Counter())
        book.counters[target] = Counter(
            used=there.used + counter.used, held=there.held + counter.held
        )
    for rid, reservation in list(book.reservations.items()):
        if reservation.is_open and reservation.request.user_id in users:
            demands = tuple(move.carried_demand(demand) for demand in reservation.demands)
            book.reservations[rid] = replace(reservation, demands=demands)
