"""The quota rules on the state they read and change: the in-memory store runs them on its own
dicts, a unit of work on a draft of them (overlays, merged at commit)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, MutableMapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from returns.result import Failure, Result, Success

from imagestudio.adapters.memory.overlay import Overlay
from imagestudio.domain.anchor_move import AnchorMove
from imagestudio.domain.errors import RefundTooLarge, UnknownUser
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


class QuotaDraft:
    """A unit of work's draft of the quota store: the rules on overlays of its dicts."""

    def __init__(
        self,
        book: QuotaBook,
        plan_of: Callable[[str], Result[Plan, UnknownUser]],
        budget_of: Callable[[str], OperatorBudget | None],
        lock: threading.Lock,
    ) -> None:
        self._overlays = (
            Overlay(book.counters),
            Overlay(book.reservations),
            Overlay(book.granted),
        )
        self._book = QuotaBook(*self._overlays)
        self._plan_of = plan_of
        self._budget_of = budget_of
        self._lock = lock

    def decide(
        self, reservation_id: str, request: ReservationRequest, stored: Callable[[str], int]
    ) -> Result[Reservation, Refusal | UnknownUser]:
        """`decide` on this draft (`stored`: the user's stored bytes, asked only when needed)."""
        found = self.standing(request, stored)
        if isinstance(found, Failure):
            return Failure(found.failure())
        return decide(self._book, reservation_id, request, found.unwrap())

    def standing(
        self, request: ReservationRequest, stored: Callable[[str], int]
    ) -> Result[Standing, UnknownUser]:
        found = self._plan_of(request.user_id)
        if isinstance(found, Failure):
            return Failure(found.failure())
        budget = self._budget_of(request.provider)
        return Success(standing_in(self._book, request, found.unwrap(), budget, stored))

    def is_reserved(self, reservation_id: str) -> bool:
        return reservation_id in self._book.reservations

    def hold(self, reservation: Reservation) -> None:
        plan = self._plan_of(reservation.request.user_id)
        rate = plan.unwrap().requests_per_minute if isinstance(plan, Success) else Limit(None)
        hold(self._book, reservation, rate)

    def settle(
        self, reservation_id: str, settlement: Settlement | None
    ) -> dict[DimensionKey, Counter]:
        """Settle the reservation; the user's counters it moved, as left (none if not held)."""
        reservation = self._book.reservations.get(reservation_id)
        if reservation is None or not reservation.is_open:
            return {}
        settle(self._book, reservation_id, settlement)
        return {
            demand.key: self._book.counters[demand.key]
            for demand in reservation.demands
            if demand.key.scope is Scope.USER
        }

    def adjust(self, user_id: str, period: str, amount: int) -> Result[Counter, RefundTooLarge]:
        return adjust(self._book, user_id, period, amount)

    def merge(self) -> None:
        with self._lock:
            for overlay in self._overlays:
                overlay.merge()


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
