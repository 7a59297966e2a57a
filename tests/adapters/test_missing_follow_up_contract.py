"""A request whose fallback never came is ended by the sweep, on every backend — memory, SQLite,
PostgreSQL. The state is built as a process killed between settling a failure that names its
follow-up (the key kept for it) and accepting that follow-up leaves it: the follow-up is never
created."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
from support.unit_world import (
    BACKENDS,
    LEASE,
    NOW,
    World,
    a_failure,
    a_request,
    an_operation,
    world_for,
)

from imagestudio.adapters.memory.idempotency import InMemoryIdempotencyStore
from imagestudio.adapters.memory.unit_of_work import InMemoryUnitOfWork
from imagestudio.adapters.memory.webhooks import InMemoryWebhookDeliveries
from imagestudio.adapters.sql.idempotency import SqlIdempotencyStore
from imagestudio.adapters.sql.unit_of_work import SqlUnitOfWork
from imagestudio.adapters.sql.webhooks import SqlWebhookDeliveries
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.application.money_path.no_follow_up import end_without_follow_up
from imagestudio.application.money_path.settle import Closing, ForgetKey, KeepKey, Settle
from imagestudio.application.money_path.verdict import Money
from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.ports.idempotency import IdempotencyStore, RunningClaim
from imagestudio.application.ports.unit_of_work import StaleOperation
from imagestudio.application.ports.webhooks import WebhookDeliveries
from imagestudio.application.use_cases.show_operation import FOLLOW_UP_GRACE, ShowOperation
from imagestudio.application.use_cases.sweep_follow_ups import EndMissingFollowUps
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_event import OperationEventKind
from imagestudio.domain.webhook import WebhookSubscription, delivery_id

S = OperationStatus
HOOK = WebhookSubscription(url="https://hooks.example.com/in")
SETTLED_AT = NOW + timedelta(seconds=5)
FINAL_DELIVERY = delivery_id("op_1", OperationEventKind.SETTLED, 0)


@dataclass(frozen=True, slots=True)
class Books:
    world: World
    keys: IdempotencyStore[StoredOutcome]
    deliveries: WebhookDeliveries
    clock: FixedClock

    def sweeper(self) -> EndMissingFollowUps:
        return EndMissingFollowUps(
            self.world.units, self.world.operations, self.keys, self.clock, LEASE_TTL
        )

    async def operation(self, operation_id: str = "op_1") -> ImageOperation:
        found = await self.world.operations.get(operation_id)
        assert found is not None
        return found

    async def running(self) -> tuple[RunningClaim, ...]:
        return await self.keys.running(self.clock.now() + timedelta(seconds=1), 10)


LEASE_TTL = timedelta(seconds=30)  # shorter than the follow-up grace: the grace decides


@pytest.fixture(params=BACKENDS)
async def books(request: pytest.FixtureRequest) -> AsyncIterator[Books]:
    async with world_for(request) as world:
        await world.quota.assign("ada", "small")
        clock = FixedClock(SETTLED_AT)
        if isinstance(world.units, SqlUnitOfWork):
            engine = world.operations._engine  # type: ignore[union-attr]
            yield Books(world, SqlIdempotencyStore(engine), SqlWebhookDeliveries(engine), clock)
            return
        assert isinstance(world.units, InMemoryUnitOfWork)
        deliveries = InMemoryWebhookDeliveries()
        world.units._outbox = deliveries
        keys: InMemoryIdempotencyStore[StoredOutcome] = world.units._idempotency
        yield Books(world, keys, deliveries, clock)


async def failed_over_then_killed(
    books: Books,
    *,
    key: str | None = "k1",
    webhook: WebhookSubscription | None = HOOK,
    first_id: str = "op_1",
    follow_up: str = "op_2",
) -> ImageOperation:
    """Accept op_1 (claiming `key`), then settle it failed naming op_2 with the key kept — and
    never accept op_2, as a process killed right there leaves it."""
    first = an_operation(first_id, idempotency_key=key, webhook=webhook)
    async with books.world.units.begin() as unit:
        if key is not None:
            await unit.idempotency.claim("ada", key, "h1", NOW, first_id)
        (await unit.quota.reserve(f"res_{first_id}", a_request())).unwrap()
        await unit.operations.add(first, LEASE)
        await unit.commit()
    failed = first.advance(S.FAILED, SETTLED_AT, error="rate limited").unwrap()
    failed = replace(failed, continued_by=follow_up)
    await Settle(books.world.units).close(
        Closing(expected=S.RESERVED, operation=failed, money=Money.RELEASE, key=KeepKey())
    )
    return failed


async def test_past_the_grace_the_request_ends_at_the_failure(books: Books) -> None:
    await failed_over_then_killed(books)
    assert await books.deliveries.get(FINAL_DELIVERY) is None  # owed by the follow-up, so far
    books.clock.advance(FOLLOW_UP_GRACE + timedelta(seconds=1))

    assert await books.sweeper().execute() == ("op_1",)

    ended = await books.operation()
    assert (ended.status, ended.continued_by) == (S.FAILED, None)
    assert await books.running() == ()  # the key is free: a retry runs anew
    delivery = await books.deliveries.get(FINAL_DELIVERY)
    assert delivery is not None and delivery.delivery.operation_id == "op_1"
    shown = await ShowOperation(books.world.operations, books.world.quota, books.clock).execute(
        "ada", "op_1"
    )
    assert shown.unwrap().operation.status is S.FAILED
    assert await books.sweeper().execute() == ()  # nothing left to end


async def test_an_unkeyed_request_past_the_grace_ends_at_its_failure_with_its_webhook(
    books: Books,
) -> None:
    # No key to find it by: the operation itself lists the follow-up it waits for.
    await failed_over_then_killed(books, key=None)
    books.clock.advance(FOLLOW_UP_GRACE - timedelta(seconds=1))
    assert await books.sweeper().execute() == ()  # within the grace: it may still come
    books.clock.advance(timedelta(seconds=2))

    assert await books.sweeper().execute() == ("op_1",)

    ended = await books.operation()
    assert (ended.status, ended.continued_by, ended.error) == (S.FAILED, None, "rate limited")
    delivery = await books.deliveries.get(FINAL_DELIVERY)
    assert delivery is not None and delivery.delivery.event is OperationEventKind.SETTLED
    shown = await ShowOperation(books.world.operations, books.world.quota, books.clock).execute(
        "ada", "op_1"
    )
    assert shown.unwrap().operation.status is S.FAILED
    assert await books.world.operations.awaiting_follow_up(books.clock.now(), 10) == ()
    assert await books.sweeper().execute() == ()


async def test_a_follow_up_that_came_is_taken_off_the_list(books: Books) -> None:
    await failed_over_then_killed(books, key=None)
    listed = await books.world.operations.awaiting_follow_up(SETTLED_AT + timedelta(seconds=1), 9)
    assert [operation.id for operation in listed] == ["op_1"]
    async with books.world.units.begin() as unit:
        (await unit.quota.reserve("res_op_2", a_request())).unwrap()
        await unit.operations.add(an_operation("op_2"), LEASE)
        await unit.commit()
    books.clock.advance(FOLLOW_UP_GRACE * 2)

    assert await books.sweeper().execute() == ()

    assert await books.world.operations.awaiting_follow_up(books.clock.now(), 10) == ()
    assert (await books.operation()).continued_by == "op_2"  # readers still follow it


async def test_every_request_past_the_grace_is_ended_in_bounded_batches(books: Books) -> None:
    # The plan admits 4 requests a minute: 2 listed, 2 older, read 1 at a time.
    for number in range(2):
        await failed_over_then_killed(
            books, key=f"k{number}", first_id=f"op_a{number}", follow_up=f"op_b{number}"
        )
    for number in range(2, 4):  # settled before operations listed their follow-ups
        await failed_over_then_killed(
            books, key=f"k{number}", first_id=f"op_a{number}", follow_up=f"op_b{number}"
        )
        await books.world.operations.follow_up_seen(f"op_a{number}")
    books.clock.advance(FOLLOW_UP_GRACE + timedelta(seconds=1))

    ended = await books.sweeper().execute(limit=1)

    assert sorted(ended) == [f"op_a{number}" for number in range(4)]
    assert await books.running() == ()


async def test_within_the_grace_or_a_longer_lease_nothing_changes(books: Books) -> None:
    await failed_over_then_killed(books)
    books.clock.advance(FOLLOW_UP_GRACE - timedelta(seconds=1))

    assert await books.sweeper().execute() == ()

    assert (await books.operation()).continued_by == "op_2"
    assert [claim.operation_id for claim in await books.running()] == ["op_1"]
    assert await books.deliveries.get(FINAL_DELIVERY) is None
    # Past the grace, a lease longer than it is still waited for: a live, slow process.
    books.clock.advance(timedelta(seconds=2))
    slow = EndMissingFollowUps(
        books.world.units, books.world.operations, books.keys, books.clock, FOLLOW_UP_GRACE * 2
    )
    assert await slow.execute() == ()
    assert (await books.operation()).continued_by == "op_2"


async def test_a_follow_up_that_exists_is_left_alone(books: Books) -> None:
    await failed_over_then_killed(books)
    async with books.world.units.begin() as unit:  # its accept, as a late process makes it
        await unit.idempotency.hand_over("ada", "k1", "op_2")
        (await unit.quota.reserve("res_op_2", a_request())).unwrap()
        await unit.operations.add(an_operation("op_2", idempotency_key="k1"), LEASE)
        await unit.commit()
    books.clock.advance(FOLLOW_UP_GRACE * 10)

    assert await books.sweeper().execute() == ()
    assert (await books.operation()).continued_by == "op_2"
    assert [claim.operation_id for claim in await books.running()] == ["op_2"]


async def test_a_late_hand_over_wins_over_a_sweeper_that_read_before_it(books: Books) -> None:
    failed = await failed_over_then_killed(books)
    async with books.world.units.begin() as unit:
        await unit.idempotency.hand_over("ada", "k1", "op_2")
        await unit.commit()

    with pytest.raises(StaleOperation):
        await end_without_follow_up(books.world.units, failed, ForgetKey(), books.clock.now())

    assert (await books.operation()).continued_by == "op_2"
    assert [claim.operation_id for claim in await books.running()] == ["op_2"]
    assert await books.deliveries.get(FINAL_DELIVERY) is None


async def test_two_sweepers_end_it_once(books: Books) -> None:
    await failed_over_then_killed(books)
    books.clock.advance(FOLLOW_UP_GRACE + timedelta(seconds=1))

    first, second = await asyncio.gather(books.sweeper().execute(), books.sweeper().execute())

    assert sorted(first + second) == ["op_1"]
    assert (await books.operation()).continued_by is None
    assert len(await books.deliveries.page("ada", None, 10)) == 1


async def test_an_unkeyed_request_is_ended_once_by_two_writers_that_read_it_alike(
    books: Books,
) -> None:
    failed = await failed_over_then_killed(books, key=None)
    later = books.clock.advance(FOLLOW_UP_GRACE)

    await end_without_follow_up(books.world.units, failed, ForgetKey(), later)
    with pytest.raises(StaleOperation):  # it was written since this one read it
        await end_without_follow_up(books.world.units, failed, ForgetKey(), later)

    ended = await books.operation()
    assert (ended.continued_by, ended.updated_at) == (None, later)
    assert len(await books.deliveries.page("ada", None, 10)) == 1


async def test_running_pages_through_old_running_claims_oldest_first(books: Books) -> None:
    async with books.world.units.begin() as unit:
        for number in range(5):
            at = NOW + timedelta(seconds=number)
            await unit.idempotency.claim("ada", f"k{number}", "h", at, f"op_{number}")
        await unit.idempotency.claim("bob", "k0", "h", NOW, "op_bob")  # same time, next user
        await unit.idempotency.finish("ada", "k1", a_failure())
        await unit.commit()

    before = NOW + timedelta(seconds=4)
    older = await books.keys.running(before, 10)
    assert [(c.user_id, c.key) for c in older] == [
        ("ada", "k0"),
        ("bob", "k0"),
        ("ada", "k2"),
        ("ada", "k3"),
    ]  # k4 is too young, k1 finished
    assert older[2] == RunningClaim("ada", "k2", NOW + timedelta(seconds=2), "op_2")
    pages, after = [], None
    while page := await books.keys.running(before, 2, after=after):
        pages.append([(c.user_id, c.key) for c in page])
        after = page[-1]
    assert pages == [[("ada", "k0"), ("bob", "k0")], [("ada", "k2"), ("ada", "k3")]]
    assert await books.keys.running(NOW + timedelta(hours=25), 10) == ()  # past retention
