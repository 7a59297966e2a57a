"""The in-memory quota, driven at random and checked against a simple model of its rule.

Reservations are made and settled through the unit of work, each in a unit of its own (as the
money path's accept and settle do), and read back through the quota store. The model keeps
every granted reservation and derives each counter from them afresh, with its own reading of
billing periods, so the quota is checked against the rule, not against itself.
"""

from __future__ import annotations

import asyncio
import calendar
import math
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, TypeVar

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from returns.result import Failure, Success
from support.unit_world import Granted, memory_units, settle_alone

from imagestudio.adapters.memory.quota_store import InMemoryQuotaStore
from imagestudio.application.ports.unit_of_work import Moved, UnitOfWork
from imagestudio.domain.billing_period import BillingAnchor
from imagestudio.domain.errors import OperatorBudgetExhausted, QuotaExceeded, RateLimited
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import OperatorBudget, Plan
from imagestudio.domain.quota import (
    Counter,
    DimensionKey,
    ReservationRequest,
    Scope,
    Settlement,
)
from imagestudio.domain.reservation import ReservationState

USERS = ("ada", "bob", "cy")
BUDGETED, UNBUDGETED = "acme", "zeta"
LIMITED = (QuotaCategory.IMAGE_GENERATION, QuotaCategory.VIDEO)
CATEGORIES = (*LIMITED, QuotaCategory.UPSCALE)
"""Upscale is named by no plan here, so it is unlimited."""

T = TypeVar("T")
Ending = Literal["commit", "leave"]
Key = tuple[str, str, str, str]
"""(scope, owner, dimension, period): the model's name for one counter."""


def maybe(limit: st.SearchStrategy[int]) -> st.SearchStrategy[int | None]:
    return st.one_of(st.none(), limit)


limit_specs = st.fixed_dictionaries(
    {
        "calls:image-generation": maybe(st.integers(0, 8)),
        "calls:video": maybe(st.integers(0, 4)),
        "spend": maybe(st.integers(0, 12_000_000)),
        "concurrency": maybe(st.integers(0, 3)),
        "requests per minute": maybe(st.integers(0, 4)),
    }
)
"""A small plan: each dimension's maximum, None for unlimited (a missing category too)."""
anchor_days = st.one_of(st.sampled_from([1, 15, 29, 30, 31]), st.integers(1, 31))


def limit_of(maximum: int | None) -> Limit:
    return Limit.unlimited() if maximum is None else Limit.of(maximum)


def plan_from(name: str, limits: dict[str, int | None], anchor: int) -> Plan:
    calls = {
        category: limit_of(limits[f"calls:{category}"])
        for category in LIMITED
        if limits[f"calls:{category}"] is not None
    }
    return Plan(
        name=name,
        calls=calls,
        spend_cap=limit_of(limits["spend"]),
        concurrent_operations=limit_of(limits["concurrency"]),
        requests_per_minute=limit_of(limits["requests per minute"]),
        anchor=BillingAnchor(anchor),
    )


def is_period_start(day: date, anchor: int) -> bool:
    return day.day == min(anchor, calendar.monthrange(day.year, day.month)[1])


def period_start(moment: datetime, anchor: int) -> date:
    day = moment.astimezone(UTC).date()
    while not is_period_start(day, anchor):
        day -= timedelta(days=1)
    return day


def period_end(start: date, anchor: int) -> datetime:
    day = start + timedelta(days=1)
    while not is_period_start(day, anchor):
        day += timedelta(days=1)
    return datetime.combine(day, time(), tzinfo=UTC)


@dataclass(kw_only=True)
class Booking:
    """The model's record of one granted reservation."""

    id: str
    user: str
    category: QuotaCategory
    outputs: int
    amount: int
    provider: str
    period: str
    month: str
    state: ReservationState = ReservationState.HELD
    at: datetime
    actual_outputs: int = 0
    actual_amount: int = 0
    billed: int = 0
    """What the provider billed: the operator's budget counts this, the user's spend does not."""

    @property
    def is_open(self) -> bool:
        return self.state is ReservationState.HELD


@settings(stateful_step_count=40)
class QuotaMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.store: Any = InMemoryQuotaStore([])
        self.units: UnitOfWork = memory_units(self.store)
        self.users: tuple[str, ...] = ()
        self.limits: dict[str, dict[str, int | None]] = {}
        self.anchors: dict[str, int] = {}
        self.budget: int | None = None
        self.bookings: dict[str, Booking] = {}
        self.now = datetime(2025, 1, 1, tzinfo=UTC)
        self.moments: dict[tuple[str, str], datetime] = {}
        """A moment inside every (user, period) seen, to ask the store about that period."""
        self.months: set[str] = set()

    def teardown(self) -> None:
        self.loop.close()

    # The model.
    def period_of(self, user: str, moment: datetime) -> str:
        return period_start(moment, self.anchors[user]).isoformat()

    def demands(self, booking: Booking) -> list[tuple[Key, int, int, int | None]]:
        """(key, held while open, used once committed, limit) for each dimension touched."""
        user, period = booking.user, booking.period
        calls = f"calls:{booking.category}"
        demands = [
            (
                ("user", user, calls, period),
                booking.outputs,
                booking.actual_outputs,
                self.limits[user].get(calls),
            ),
            (
                ("user", user, "spend", period),
                booking.amount,
                booking.actual_amount,
                self.limits[user]["spend"],
            ),
            (("user", user, "concurrency", "live"), 1, 0, self.limits[user]["concurrency"]),
        ]
        if booking.provider == BUDGETED:
            demands.append(
                (
                    ("operator", BUDGETED, "budget", booking.month),
                    booking.amount,
                    booking.billed,
                    self.budget,
                )
            )
        return demands

    def model_counters(self) -> dict[Key, Counter]:
        used: dict[Key, int] = {}
        held: dict[Key, int] = {}
        for booking in self.bookings.values():
            for key, holding, using, _ in self.demands(booking):
                if booking.state is ReservationState.HELD:
                    held[key] = held.get(key, 0) + holding
                if booking.state is ReservationState.COMMITTED:
                    used[key] = used.get(key, 0) + using
        keys = set(used) | set(held)
        return {key: Counter(used=used.get(key, 0), held=held.get(key, 0)) for key in keys}

    def recent_grants(self, user: str) -> list[datetime]:
        """The user's grants in the minute up to now (the clock only moves forward)."""
        return [
            booking.at
            for booking in self.bookings.values()
            if booking.user == user and self.now - timedelta(minutes=1) < booking.at
        ]

    def rate_exceeded(self, user: str) -> bool:
        rate = self.limits[user]["requests per minute"]
        return rate is not None and len(self.recent_grants(user)) + 1 > rate

    def limit_for(self, key: Key) -> int | None:
        scope, owner, name, _ = key
        if scope == "operator":
            return self.budget
        return self.limits[owner].get(name)

    # The quota: written through units, read through the store's port.
    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def reserving(self, reservation_id: str, request: ReservationRequest, end: Ending) -> Granted:
        """What a unit's reserve answers; the unit is then committed (whatever the answer: a
        refusal holds nothing either way) or left, which must keep nothing of it."""

        async def unit() -> Granted:
            async with self.units.begin() as unit:
                granted = await unit.quota.reserve(reservation_id, request)
                if end == "commit":
                    await unit.commit()
            return granted

        return self.run(unit())

    def settling(self, reservation_id: str, settlement: Settlement | None) -> Moved:
        return self.run(settle_alone(self.units, reservation_id, settlement))

    def state_of(self, reservation_id: str) -> tuple[ReservationState, Settlement | None]:
        reservation = self.run(self.store.reservation(reservation_id))
        assert reservation is not None, reservation_id
        return reservation.state, reservation.settlement

    def store_counters(self) -> dict[Key, Counter]:
        """Every counter of every period seen, as the store reports it."""
        found: dict[Key, Counter] = {}
        for (user, _), moment in self.moments.items():
            for key, counter in self.run(self.store.counters(user, moment)).items():
                found[(str(key.scope), key.owner, key.name, key.period)] = counter
        for month in self.months:
            for provider in (BUDGETED, UNBUDGETED):
                counter = self.run(self.store.operator_counter(provider, month))
                found[("operator", provider, "budget", month)] = counter
        return found

    def see(self, moment: datetime) -> None:
        for user in self.users:
            self.moments.setdefault((user, self.period_of(user, moment)), moment)
        self.months.add(period_start(moment, 1).isoformat())

    # Set-up.
    @initialize(
        plans=st.lists(st.tuples(limit_specs, anchor_days), min_size=2, max_size=3),
        budget=maybe(st.integers(0, 10_000_000)),
        start=st.datetimes(
            min_value=datetime(2024, 1, 1),
            max_value=datetime(2030, 12, 31),
            timezones=st.just(UTC),
        ),
    )
    def open_the_store(
        self,
        plans: list[tuple[dict[str, int | None], int]],
        budget: int | None,
        start: datetime,
    ) -> None:
        self.users = USERS[: len(plans)]
        for user, (limits, anchor) in zip(self.users, plans, strict=False):
            self.limits[user], self.anchors[user] = limits, anchor
        self.budget = budget
        self.now = start
        self.store, self.units = self.open_store(
            [
                plan_from(f"plan-{user}", self.limits[user], self.anchors[user])
                for user in self.users
            ],
            {user: f"plan-{user}" for user in self.users},
            [OperatorBudget(provider=BUDGETED, monthly=limit_of(budget))],
        )
        self.see(start)

    def open_store(
        self, plans: list[Plan], users: dict[str, str], budgets: list[OperatorBudget]
    ) -> tuple[Any, UnitOfWork]:
        """The store under test, set up with these plans, users and budgets, and a unit of work
        over it (overridable)."""
        store = InMemoryQuotaStore(plans, users=users, budgets=budgets)
        return store, memory_units(store)

    # Reserving.
    @rule(
        data=st.data(),
        category=st.sampled_from(CATEGORIES),
        outputs=st.integers(1, 4),
        amount=st.integers(0, 5_000_000),
        provider=st.sampled_from([BUDGETED, UNBUDGETED]),
        end=st.sampled_from(["commit", "commit", "commit", "leave"]),
    )
    def reserve(
        self,
        data: st.DataObject,
        category: QuotaCategory,
        outputs: int,
        amount: int,
        provider: str,
        end: Ending,
    ) -> None:
        user = data.draw(st.sampled_from(self.users), label="user")
        booking = Booking(
            id=f"r{len(self.bookings) + 1}",
            user=user,
            category=category,
            outputs=outputs,
            amount=amount,
            provider=provider,
            period=self.period_of(user, self.now),
            month=period_start(self.now, 1).isoformat(),
            at=self.now,
        )
        counters = self.model_counters()
        exceeded = {}
        for key, asked, _, limit in self.demands(booking):
            counter = counters.get(key, Counter())
            if limit is not None and counter.used + counter.held + asked > limit:
                exceeded[key] = counter
        before = self.store_counters()
        request = ReservationRequest(
            user_id=user,
            category=category,
            outputs=outputs,
            amount=amount,
            provider=provider,
            at=self.now,
        )

        result = self.reserving(booking.id, request, end)

        too_fast = self.rate_exceeded(user)
        if exceeded or too_fast:
            assert isinstance(result, Failure), f"granted past {sorted(exceeded)}, {too_fast=}"
            event(f"reserve refused: {type(result.failure()).__name__}")
            self.check_refusal(booking, result.failure(), exceeded)
            assert self.store_counters() == before, "a refused reservation changed a counter"
        else:
            assert isinstance(result, Success), f"refused with room left: {result}"
            assert result.unwrap().is_open
            if end == "leave":
                event("reserve granted, unit left")
                assert self.store_counters() == before, "a unit left uncommitted changed a counter"
                assert self.run(self.store.reservation(booking.id)) is None
                return
            event("reserve granted")
            self.bookings[booking.id] = booking

    def check_refusal(
        self, booking: Booking, refused: object, exceeded: dict[Key, Counter]
    ) -> None:
        user_end = period_end(date.fromisoformat(booking.period), self.anchors[booking.user])
        month_end = period_end(date.fromisoformat(booking.month), 1)
        asked = {key: amount for key, amount, _, _ in self.demands(booking)}
        if isinstance(refused, RateLimited) and refused.limit_name == "requests per minute":
            assert self.rate_exceeded(booking.user)
            assert refused.limit == self.limits[booking.user]["requests per minute"]
            oldest = min(self.recent_grants(booking.user), default=self.now)
            clears = oldest + timedelta(minutes=1) - self.now
            assert refused.retry_after_seconds == max(1, math.ceil(clears.total_seconds()))
            return
        if isinstance(refused, RateLimited):
            key: Key = ("user", booking.user, "concurrency", "live")
            assert key in exceeded
            assert refused.limit == self.limits[booking.user]["concurrency"]
            return
        if isinstance(refused, OperatorBudgetExhausted):
            key = ("operator", BUDGETED, "budget", booking.month)
            resets_at = month_end
        else:
            assert isinstance(refused, QuotaExceeded), refused
            key = ("user", booking.user, refused.limit_name, booking.period)
            resets_at = user_end
        assert key in exceeded, f"refused on {key}, which had room"
        counter = exceeded[key]
        numbers = (refused.used, refused.held, refused.limit, refused.requested, refused.resets_at)
        assert numbers == (counter.used, counter.held, self.limit_for(key), asked[key], resets_at)

    # Settling.
    def open_ids(self) -> list[str]:
        return sorted(b.id for b in self.bookings.values() if b.is_open)

    def settled_ids(self) -> list[str]:
        return sorted(b.id for b in self.bookings.values() if not b.is_open)

    @precondition(lambda self: self.open_ids())
    @rule(data=st.data())
    def commit(self, data: st.DataObject) -> None:
        booking = self.bookings[data.draw(st.sampled_from(self.open_ids()), label="id")]
        up_to_the_reserve = st.integers(0, booking.amount)
        settlement = Settlement(
            outputs=data.draw(st.integers(0, booking.outputs), label="actual outputs"),
            amount=data.draw(up_to_the_reserve, label="actual amount"),
            provider_cost=data.draw(maybe(up_to_the_reserve), label="provider cost"),
        )

        moved = self.settling(booking.id, settlement)

        event("commit")
        assert self.state_of(booking.id) == (ReservationState.COMMITTED, settlement)
        now = self.run(self.store.counters(booking.user, booking.at))
        assert moved.counters, "a commit's receipt is empty"
        assert moved.counters == {key: now[key] for key in moved.counters}
        booking.state = ReservationState.COMMITTED
        booking.actual_outputs, booking.actual_amount = settlement.outputs, settlement.amount
        booking.billed = settlement.billed

    @precondition(lambda self: self.open_ids())
    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        booking = self.bookings[data.draw(st.sampled_from(self.open_ids()), label="id")]

        self.settling(booking.id, None)

        event("release")
        assert self.state_of(booking.id) == (ReservationState.RELEASED, None)
        booking.state = ReservationState.RELEASED

    @precondition(lambda self: self.settled_ids())
    @rule(data=st.data(), commit=st.booleans())
    def settle_again(self, data: st.DataObject, commit: bool) -> None:
        booking = self.bookings[data.draw(st.sampled_from(self.settled_ids()), label="id")]
        before, settled = self.store_counters(), self.state_of(booking.id)

        if commit:
            settlement = Settlement(
                outputs=data.draw(st.integers(0, 4), label="outputs"),
                amount=data.draw(st.integers(0, 5_000_000), label="amount"),
            )
            moved = self.settling(booking.id, settlement)
        else:
            moved = self.settling(booking.id, None)

        event("settle again")
        assert moved == Moved()
        assert self.state_of(booking.id) == settled
        assert settled[0] is booking.state
        assert self.store_counters() == before, "settling a settled reservation changed a counter"

    # Time.
    @rule(
        data=st.data(),
        by=st.one_of(
            st.none(),
            st.timedeltas(timedelta(seconds=1), timedelta(minutes=2)),
            st.timedeltas(timedelta(minutes=1), timedelta(days=40)),
        ),
    )
    def advance_the_clock(self, data: st.DataObject, by: timedelta | None) -> None:
        """By `by`, or (None) exactly to the start of some user's next period."""
        if by is not None:
            self.move_clock_to(self.now + by)
            return
        user = data.draw(st.sampled_from(self.users), label="to the next period of")
        start = period_start(self.now, self.anchors[user])
        self.move_clock_to(period_end(start, self.anchors[user]))

    def move_clock_to(self, moment: datetime) -> None:
        old = self.store_counters()
        old_periods = {user: self.period_of(user, self.now) for user in self.users}
        self.now = moment
        self.see(moment)

        for user in self.users:
            period = self.period_of(user, moment)
            if period == old_periods[user]:
                continue
            event("a user's period rolled over")
            fresh = self.run(self.store.counters(user, moment))
            per_period = {key: c for key, c in fresh.items() if key.period == period}
            assert all(c == Counter() for c in per_period.values()), per_period
        assert {key: c for key, c in self.store_counters().items() if key in old} == old

    # What must hold after every step.
    @invariant()
    def used_is_the_sum_of_the_committed_actuals(self) -> None:
        store, model = self.store_counters(), self.model_counters()
        for key in set(store) | set(model):
            assert store.get(key, Counter()).used == model.get(key, Counter()).used, key

    @invariant()
    def held_is_the_sum_of_the_open_reservations(self) -> None:
        store, model = self.store_counters(), self.model_counters()
        for key in set(store) | set(model):
            assert store.get(key, Counter()).held == model.get(key, Counter()).held, key

    @invariant()
    def used_plus_held_never_exceeds_a_finite_limit(self) -> None:
        for key, counter in self.store_counters().items():
            limit = self.limit_for(key) if key[1] != UNBUDGETED else None
            assert limit is None or counter.used + counter.held <= limit, (key, counter, limit)

    @invariant()
    def concurrency_holds_one_for_each_open_reservation(self) -> None:
        for user in self.users:
            key = DimensionKey(Scope.USER, user, "concurrency", "live")
            counter = self.run(self.store.counters(user, self.now)).get(key, Counter())
            opened = sum(1 for b in self.bookings.values() if b.user == user and b.is_open)
            assert counter == Counter(used=0, held=opened)

    @invariant()
    def nothing_is_ever_negative(self) -> None:
        for counter in self.store_counters().values():
            assert counter.used >= 0
            assert counter.held >= 0


TestQuotaMachine = QuotaMachine.TestCase
