"""The webhook outbox on every backend — memory, SQLite, PostgreSQL: a delivery is written by
the transaction that settles its operation (and gone with it when that rolls back), claimed by
one worker at a time, recorded only by its holder, paged per user, retried, purged; and each
user's secret seed is made once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
from support.unit_world import LEASE, NOW, World, a_request, an_operation, world_for

from imagestudio.adapters.memory.account_erasure import InMemoryAccountErasure
from imagestudio.adapters.memory.alert_log import InMemoryAlertLog
from imagestudio.adapters.memory.api_keys import InMemoryApiKeys
from imagestudio.adapters.memory.idempotency import InMemoryIdempotencyStore
from imagestudio.adapters.memory.quota_store import InMemoryQuotaStore
from imagestudio.adapters.memory.unit_of_work import InMemoryUnitOfWork
from imagestudio.adapters.memory.webhooks import InMemorySecretSeeds, InMemoryWebhookDeliveries
from imagestudio.adapters.sql.account_erasure import SqlAccountErasure
from imagestudio.adapters.sql.unit_of_work import SqlUnitOfWork
from imagestudio.adapters.sql.webhook_secrets import SqlSecretSeeds
from imagestudio.adapters.sql.webhooks import SqlWebhookDeliveries
from imagestudio.application.money_path.settle import Closing, Settle
from imagestudio.application.money_path.verdict import Money
from imagestudio.application.ports.account_erasure import AccountErasure
from imagestudio.application.ports.unit_of_work import StaleOperation
from imagestudio.application.ports.webhooks import SecretSeeds, WebhookDeliveries
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.operation_event import OperationEventKind
from imagestudio.domain.webhook import (
    DeliveryAttempt,
    DeliveryState,
    WebhookDelivery,
    WebhookSubscription,
    delivery_id,
)

S = OperationStatus
HOOK = WebhookSubscription(url="https://hooks.example.com/in")
BACKENDS = ["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@dataclass(frozen=True, slots=True)
class Outbox:
    world: World
    deliveries: WebhookDeliveries
    seeds: SecretSeeds
    erasure: AccountErasure


@pytest.fixture(params=BACKENDS)
async def outbox(request: pytest.FixtureRequest) -> AsyncIterator[Outbox]:
    async with world_for(request) as world:
        await world.quota.assign("ada", "small")
        await world.quota.assign("bob", "small")
        units = world.units
        if isinstance(units, SqlUnitOfWork):
            engine = world.operations._engine  # type: ignore[union-attr]
            yield Outbox(
                world,
                SqlWebhookDeliveries(engine),
                SqlSecretSeeds(engine),
                SqlAccountErasure(engine),
            )
            return
        assert isinstance(units, InMemoryUnitOfWork)
        deliveries = InMemoryWebhookDeliveries()
        units._outbox = deliveries  # the world's unit of work, writing to this outbox
        seeds = InMemorySecretSeeds()
        assert isinstance(world.quota, InMemoryQuotaStore)
        erasure = InMemoryAccountErasure(
            world.quota,
            world.ledger,  # type: ignore[arg-type]
            world.operations,  # type: ignore[arg-type]
            InMemoryIdempotencyStore(),
            InMemoryApiKeys(),
            InMemoryAlertLog(),
            deliveries,
            seeds,
        )
        yield Outbox(world, deliveries, seeds, erasure)


async def reserved(world: World, operation_id: str = "op_1", user: str = "ada") -> None:
    async with world.units.begin() as unit:
        await unit.quota.reserve(f"res_{operation_id}", a_request(user))
        await unit.operations.add(an_operation(operation_id, user, webhook=HOOK), LEASE)
        await unit.commit()


def closing(operation_id: str = "op_1", user: str = "ada", expected: S = S.RESERVED) -> Closing:
    settled = an_operation(
        operation_id, user, S.FAILED, webhook=HOOK, updated_at=NOW + timedelta(seconds=3)
    )
    return Closing(expected=expected, operation=settled, money=Money.RELEASE)


def a_delivery(operation_id: str, user: str = "ada", seconds: int = 3) -> WebhookDelivery:
    at = NOW + timedelta(seconds=seconds)
    return WebhookDelivery(
        id=delivery_id(operation_id, OperationEventKind.SETTLED, 0),
        user_id=user,
        operation_id=operation_id,
        event=OperationEventKind.SETTLED,
        url=HOOK.url,
        created_at=at,
        next_attempt_at=at,
    )


async def test_the_settlement_writes_the_delivery_its_webhook_asked_for(outbox: Outbox) -> None:
    await reserved(outbox.world)
    await Settle(outbox.world.units).close(closing())

    later = NOW + timedelta(minutes=1)
    assert await outbox.deliveries.claim(later, "w1", later, 10) == (a_delivery("op_1"),)


async def test_a_settlement_that_rolls_back_leaves_no_delivery(outbox: Outbox) -> None:
    await reserved(outbox.world)
    with pytest.raises(StaleOperation):  # someone moved it first: the whole unit is undone
        await Settle(outbox.world.units).close(closing(expected=S.SUBMITTED))

    later = NOW + timedelta(minutes=1)
    assert await outbox.deliveries.claim(later, "w1", later, 10) == ()
    assert await outbox.deliveries.get(a_delivery("op_1").id) is None


async def test_an_operation_without_a_webhook_owes_nothing(outbox: Outbox) -> None:
    await reserved(outbox.world)
    plain = replace(closing(), operation=replace(closing().operation, webhook=None))
    await Settle(outbox.world.units).close(plain)

    later = NOW + timedelta(minutes=1)
    assert await outbox.deliveries.claim(later, "w1", later, 10) == ()


async def test_two_workers_never_hold_one_delivery(outbox: Outbox) -> None:
    for number in range(6):
        await reserved(outbox.world, f"op_{number}")
        await Settle(outbox.world.units).close(closing(f"op_{number}"))
    later = NOW + timedelta(minutes=1)

    first, second = await asyncio.gather(
        outbox.deliveries.claim(later, "w1", later + timedelta(minutes=1), 10),
        outbox.deliveries.claim(later, "w2", later + timedelta(minutes=1), 10),
    )

    ids = [delivery.id for delivery in (*first, *second)]
    assert sorted(ids) == sorted(a_delivery(f"op_{n}").id for n in range(6))
    again = await outbox.deliveries.claim(later, "w3", later, 10)
    assert again == ()  # all held until their hold runs out
    assert len(await outbox.deliveries.claim(later + timedelta(minutes=2), "w3", later, 10)) == 6


async def test_an_attempt_is_kept_by_the_holder_only(outbox: Outbox) -> None:
    await reserved(outbox.world)
    await Settle(outbox.world.units).close(closing())
    later = NOW + timedelta(minutes=1)
    (claimed,) = await outbox.deliveries.claim(later, "w1", later + timedelta(seconds=5), 1)
    attempt = DeliveryAttempt(
        delivery_id=claimed.id,
        number=1,
        at=later,
        status_code=500,
        error="answered 500",
        duration_ms=12,
    )
    retried = replace(claimed, attempts=1, next_attempt_at=later + timedelta(seconds=5))

    assert not await outbox.deliveries.record(attempt, retried, "w2")
    assert await outbox.deliveries.record(attempt, retried, "w1")

    record = await outbox.deliveries.get(claimed.id)
    assert record is not None and record.delivery == retried and record.attempts == (attempt,)
    assert await outbox.deliveries.claim(later, "w1", later, 1) == ()  # not due yet
    due = later + timedelta(seconds=5)
    assert await outbox.deliveries.claim(due, "w1", due, 1) == (retried,)


async def test_pages_are_the_users_own_newest_first(outbox: Outbox) -> None:
    for number, user in enumerate(("ada", "bob", "ada", "ada")):
        await reserved(outbox.world, f"op_{number}", user)
        settled = closing(f"op_{number}", user)
        at = NOW + timedelta(seconds=number)
        await Settle(outbox.world.units).close(
            replace(settled, operation=replace(settled.operation, updated_at=at))
        )

    first = await outbox.deliveries.page("ada", None, 2)
    assert [r.delivery.operation_id for r in first] == ["op_3", "op_2"]
    last = first[-1].delivery
    rest = await outbox.deliveries.page("ada", (last.created_at, last.id), 2)
    assert [r.delivery.operation_id for r in rest] == ["op_0"]
    assert [r.delivery.operation_id for r in await outbox.deliveries.page("bob", None, 9)] == [
        "op_1"
    ]


async def test_retry_and_purge(outbox: Outbox) -> None:
    await reserved(outbox.world)
    await Settle(outbox.world.units).close(closing())
    later = NOW + timedelta(minutes=1)
    (claimed,) = await outbox.deliveries.claim(later, "w1", later, 1)
    given_up = replace(claimed, attempts=1, state=DeliveryState.FAILED)
    attempt = DeliveryAttempt(
        delivery_id=claimed.id,
        number=1,
        at=later,
        status_code=None,
        error="refused",
        duration_ms=0,
    )
    assert await outbox.deliveries.record(attempt, given_up, "w1")

    again = await outbox.deliveries.retry(claimed.id, later)
    assert again == replace(given_up, state=DeliveryState.PENDING, next_attempt_at=later)
    assert await outbox.deliveries.retry("msg_unknown", later) is None

    assert await outbox.deliveries.purge(claimed.created_at) == 0
    assert await outbox.deliveries.purge(claimed.created_at + timedelta(seconds=1)) == 1
    assert await outbox.deliveries.get(claimed.id) is None


async def test_a_users_seed_is_made_once_and_rotated(outbox: Outbox) -> None:
    seeds = outbox.seeds
    first = await seeds.seed("ada", b"a" * 32, NOW)
    assert first == b"a" * 32
    assert await seeds.seed("ada", b"b" * 32, NOW) == first
    assert await seeds.seed("bob", b"c" * 32, NOW) == b"c" * 32
    await seeds.rotate("ada", b"d" * 32, NOW)
    assert await seeds.seed("ada", b"e" * 32, NOW) == b"d" * 32


async def test_a_users_webhooks_go_with_their_account(outbox: Outbox) -> None:
    for number, user in enumerate(("ada", "bob")):
        await reserved(outbox.world, f"op_{number}", user)
        await Settle(outbox.world.units).close(closing(f"op_{number}", user))
        await outbox.seeds.seed(user, bytes([number]) * 32, NOW)
    later = NOW + timedelta(minutes=1)
    (held,) = await outbox.deliveries.claim(later, "w1", later, 1)
    attempt = DeliveryAttempt(
        delivery_id=held.id, number=1, at=later, status_code=200, error=None, duration_ms=3
    )
    await outbox.deliveries.record(attempt, replace(held, attempts=1), "w1")

    await outbox.erasure.erase("ada", "gone_1")

    assert await outbox.deliveries.page("ada", None, 9) == ()
    assert len(await outbox.deliveries.page("bob", None, 9)) == 1
    assert await outbox.seeds.seed("ada", b"n" * 32, NOW) == b"n" * 32  # a new one
    assert await outbox.seeds.seed("bob", b"n" * 32, NOW) == bytes([1]) * 32
