"""A unit of work's draft of the in-memory quota store: the quota rules (quota_book.py) run on
overlays of the store's dicts, merged into them under the store's lock at commit."""

from __future__ import annotations

import threading
from collections.abc import Callable

from returns.result import Failure, Result, Success

from imagestudio.adapters.memory.overlay import Overlay
from imagestudio.adapters.memory.quota_book import (
    QuotaBook,
    adjust,
    decide,
    hold,
    settle,
    standing_in,
)
from imagestudio.domain.errors import RefundTooLarge, UnknownUser
from imagestudio.domain.limit import Limit
from imagestudio.domain.plan import OperatorBudget, Plan
from imagestudio.domain.plan_fit import Refusal, Standing
from imagestudio.domain.quota import Counter, DimensionKey, ReservationRequest, Scope, Settlement
from imagestudio.domain.reservation import Reservation


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
