"""Every account erasure — in memory, SQLite, PostgreSQL — removes one user's records, keeps
their ledger lines under a tombstone so every total still adds up, and touches nobody else."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from returns.result import Failure, Success
from sqlalchemy import Delete, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from support.sql_schema import engine_with_schema
from support.unit_world import reserve_alone, settle_alone

from imagestudio.adapters.memory.account_erasure import InMemoryAccountErasure
from imagestudio.adapters.memory.alert_log import InMemoryAlertLog
from imagestudio.adapters.memory.api_keys import InMemoryApiKeys
from imagestudio.adapters.memory.asset_library import InMemoryAssetLibrary
from imagestudio.adapters.memory.idempotency import InMemoryIdempotencyStore
from imagestudio.adapters.memory.ledger import InMemoryLedger
from imagestudio.adapters.memory.operation_store import InMemoryOperationStore
from imagestudio.adapters.memory.quota_store import InMemoryQuotaStore
from imagestudio.adapters.memory.unit_of_work import InMemoryUnitOfWork
from imagestudio.adapters.memory.webhooks import InMemorySecretSeeds, InMemoryWebhookDeliveries
from imagestudio.adapters.sql import tables
from imagestudio.adapters.sql.account_erasure import SqlAccountErasure
from imagestudio.adapters.sql.alert_log import SqlAlertLog
from imagestudio.adapters.sql.api_keys import SqlApiKeys
from imagestudio.adapters.sql.browser_sessions import SqlBrowserSessions
from imagestudio.adapters.sql.idempotency import SqlIdempotencyStore
from imagestudio.adapters.sql.ledger import SqlLedger
from imagestudio.adapters.sql.operation_store import SqlOperationStore
from imagestudio.adapters.sql.quota_store import SqlQuotaStore
from imagestudio.adapters.sql.unit_of_work import SqlUnitOfWork
from imagestudio.adapters.sql.webhook_secrets import SqlSecretSeeds
from imagestudio.adapters.sql.webhooks import SqlWebhookDeliveries
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.ports.account_erasure import AccountErasure, ErasureReport
from imagestudio.application.ports.alert_log import AlertLog
from imagestudio.application.ports.api_keys import ApiKeys
from imagestudio.application.ports.idempotency import Claimed, IdempotencyStore
from imagestudio.application.ports.ledger import Ledger
from imagestudio.application.ports.unit_of_work import UnitOfWork
from imagestudio.application.ports.webhooks import SecretSeeds, WebhookDeliveries
from imagestudio.domain.api_key import ApiKey
from imagestudio.domain.billing_period import period_containing
from imagestudio.domain.browser_session import BrowserSession, SignInLink
from imagestudio.domain.errors import ProviderErrorKind, ProviderFailed, UnknownUser
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_event import OperationEventKind
from imagestudio.domain.operation_kind import OperationKind, QuotaCategory
from imagestudio.domain.plan import OperatorBudget, Plan
from imagestudio.domain.quota import Counter, ReservationRequest, Scope, Settlement
from imagestudio.domain.quota_alert import QuotaAlert
from imagestudio.domain.usage_record import Outcome, UsageRecord
from imagestudio.domain.webhook import DeliveryAttempt, WebhookDelivery, delivery_id

NOW = datetime(2026, 5, 20, 12, tzinfo=UTC)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
MONTH = period_containing(NOW).key
LAST_MONTH = period_containing(NOW - timedelta(days=31)).key
PROVIDER = "wavespeed"
PRICE = 3_000
TOMBSTONE = "deleted_0001"
METERED = Plan(
    name="metered",
    calls={QuotaCategory.IMAGE_GENERATION: Limit(100)},
    spend_cap=Limit(1_000_000),
    requests_per_minute=Limit(3),
    concurrent_operations=Limit(5),
)
SETTLED = (
    OperationStatus.SUCCEEDED,
    OperationStatus.FAILED,
    OperationStatus.CANCELLED,
    OperationStatus.ABANDONED,
)


@dataclass(frozen=True, slots=True)
class Accounts:
    quota: InMemoryQuotaStore | SqlQuotaStore
    ledger: Ledger
    units: UnitOfWork
    """The money path's writes: adjustments go through it."""
    operations: InMemoryOperationStore | SqlOperationStore
    idempotency: IdempotencyStore[StoredOutcome]
    keys: ApiKeys
    alerts: AlertLog
    erasure: AccountErasure
    engine: AsyncEngine | None
    """None in memory."""
    webhooks: WebhookDeliveries
    seeds: SecretSeeds


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def accounts(request: pytest.FixtureRequest) -> AsyncIterator[Accounts]:
    if request.param == "memory":
        quota = InMemoryQuotaStore([])
        ledger = InMemoryLedger()
        operations = InMemoryOperationStore()
        idempotency = InMemoryIdempotencyStore[StoredOutcome]()
        keys = InMemoryApiKeys()
        alerts = InMemoryAlertLog()
        webhooks, seeds = InMemoryWebhookDeliveries(), InMemorySecretSeeds()
        erasure = InMemoryAccountErasure(
            quota, ledger, operations, idempotency, keys, alerts, webhooks, seeds
        )
        library = InMemoryAssetLibrary()
        memory = Accounts(
            quota,
            ledger,
            InMemoryUnitOfWork(quota, ledger, operations, idempotency, library, webhooks),
            operations,
            idempotency,
            keys,
            alerts,
            erasure,
            None,
            webhooks,
            seeds,
        )
        await _plans_and_budget(memory)
        yield memory
        return
    url = str(
        request.getfixturevalue(f"{'sqlite' if request.param == 'sqlite' else 'postgres'}_url")
    )
    async with on_sql(url) as sql:
        yield sql


@pytest.fixture
async def sql_accounts(database_url: str) -> AsyncIterator[Accounts]:
    """The stores on SQLite and PostgreSQL only, for what is about their tables."""
    async with on_sql(database_url) as sql:
        yield sql


@asynccontextmanager
async def on_sql(url: str) -> AsyncIterator[Accounts]:
    async with engine_with_schema(url) as engine:
        units = SqlUnitOfWork(url)
        sql = Accounts(
            SqlQuotaStore(engine, FixedClock(NOW)),
            SqlLedger(engine),
            units,
            SqlOperationStore(engine),
            SqlIdempotencyStore(engine),
            SqlApiKeys(engine),
            SqlAlertLog(engine),
            SqlAccountErasure(engine),
            engine,
            SqlWebhookDeliveries(engine),
            SqlSecretSeeds(engine),
        )
        await _plans_and_budget(sql)
        try:
            yield sql
        finally:
            await units.aclose()


async def _plans_and_budget(accounts: Accounts) -> None:
    await accounts.quota.define_plan(METERED)
    await accounts.quota.set_budget(OperatorBudget(provider=PROVIDER, monthly=Limit(10_000_000)))


# -- building a user's records through the stores' own methods -------------------------------


def a_line(user: str, operation_id: str, charge: int, period: str = MONTH) -> UsageRecord:
    return UsageRecord(
        user_id=user,
        operation_id=operation_id,
        model_id="flux-dev",
        provider=PROVIDER,
        kind=OperationKind.TEXT_TO_IMAGE,
        outputs=1 if charge else 0,
        user_charge=charge,
        provider_cost=charge,
        outcome=Outcome.SUCCEEDED if charge else Outcome.FAILED,
        output_bytes=2048,
        latency_ms=900,
        billing_period=period,
        started_at=NOW,
        finished_at=NOW + timedelta(seconds=1),
        idempotency_key=None,
    )


def an_operation(user: str, operation_id: str, status: OperationStatus) -> ImageOperation:
    return ImageOperation(
        id=operation_id,
        user_id=user,
        kind=OperationKind.TEXT_TO_IMAGE,
        model_id="flux-dev",
        provider=PROVIDER,
        prompt="a lighthouse at dusk",
        input_digests=(),
        parameters={"seed": 1},
        outputs_requested=1,
        created_at=NOW,
        updated_at=NOW,
        status=status,
    )


def a_key(user: str, number: int) -> ApiKey:
    return ApiKey(
        id=f"key_{user}_{number}",
        user_id=user,
        key_hash=f"{user}-{number}".ljust(64, "0"),
        prefix=f"isk_{user[:3]}{number}",
        created_at=NOW + timedelta(seconds=number),
    )


@dataclass(frozen=True, slots=True)
class Records:
    """What was stored for one user, to look it up again."""

    user: str
    operations: tuple[str, ...]
    reservations: tuple[str, ...]
    keys: tuple[ApiKey, ...]
    idempotency_keys: tuple[str, ...]


def a_request(user: str, at: datetime) -> ReservationRequest:
    """One image generation at PRICE, for the budgeted provider."""
    return ReservationRequest(
        user_id=user,
        category=QuotaCategory.IMAGE_GENERATION,
        outputs=1,
        amount=PRICE,
        provider=PROVIDER,
        at=at,
    )


async def open_account(accounts: Accounts, user: str) -> Records:
    """A user with three reservations (two committed, one released), their settled operations
    and ledger lines (one last month), a refund, two idempotency keys (one finished), a rotated
    API key and an alert."""
    assert await accounts.quota.add_user(user, METERED.name) == Success(None)
    operations, reservations = [], []
    for number, status in enumerate(SETTLED[:3], start=1):
        operation_id, reservation_id = f"op_{user}_{number}", f"res_{user}_{number}"
        request = a_request(user, NOW + timedelta(seconds=number))
        assert isinstance(await reserve_alone(accounts.units, reservation_id, request), Success)
        charge = PRICE if status is OperationStatus.SUCCEEDED else 0
        settlement = Settlement(outputs=1, amount=charge) if charge else None
        await settle_alone(accounts.units, reservation_id, settlement)
        await accounts.operations.save(an_operation(user, operation_id, status))
        await accounts.ledger.append(a_line(user, operation_id, charge))
        operations.append(operation_id)
        reservations.append(reservation_id)
    abandoned = f"op_{user}_old"
    await accounts.operations.save(an_operation(user, abandoned, OperationStatus.ABANDONED))
    await accounts.operations.hold(abandoned, "sweeper", NOW)
    await accounts.ledger.append(a_line(user, abandoned, 1_000, period=LAST_MONTH))
    refund = replace(
        a_line(user, f"adj_{user}", -1_000),
        kind=None,
        outcome=Outcome.ADJUSTMENT,
        provider_cost=0,
        reason="goodwill",
    )
    async with accounts.units.begin() as unit:
        moved = await unit.quota.adjust_spend(user, refund.billing_period, refund.user_charge)
        assert isinstance(moved, Success)
        await unit.ledger.append(refund)
        await unit.commit()
    assert await accounts.idempotency.claim(user, "k-done", "h1", NOW) == Claimed()
    await accounts.idempotency.finish(user, "k-done", a_failure())
    assert await accounts.idempotency.claim(user, "k-running", "h2", NOW) == Claimed()
    await accounts.keys.add(a_key(user, 1))
    await accounts.keys.replace(a_key(user, 2))
    await accounts.alerts.record(
        QuotaAlert(
            user_id=user,
            dimension="spend",
            period=MONTH,
            threshold=80,
            used=800_000,
            limit=1_000_000,
            at=NOW,
        )
    )
    if accounts.engine is not None:  # the studio's sessions name the user too (SQL only)
        await _browser_session(accounts.engine, user)
    await webhook_delivered(accounts, user, operations[0])
    return Records(
        user=user,
        operations=(*operations, abandoned),
        reservations=tuple(reservations),
        keys=(a_key(user, 1), a_key(user, 2)),
        idempotency_keys=("k-done", "k-running"),
    )


async def webhook_delivered(accounts: Accounts, user: str, operation_id: str) -> None:
    """The user's webhook secret seed, and one delivery (written by a unit) with its attempt."""
    await accounts.seeds.seed(user, user.encode().ljust(32, b"."), NOW)
    delivery = WebhookDelivery(
        id=delivery_id(operation_id, OperationEventKind.SETTLED, 0),
        user_id=user,
        operation_id=operation_id,
        event=OperationEventKind.SETTLED,
        url="https://hooks.example.com/in",
        created_at=NOW,
        next_attempt_at=NOW,
    )
    async with accounts.units.begin() as unit:
        await unit.outbox.add(delivery)
        await unit.commit()
    (held,) = [
        found
        for found in await accounts.webhooks.claim(NOW, "w1", NOW + timedelta(minutes=1), 99)
        if found.id == delivery.id
    ]
    attempt = DeliveryAttempt(
        delivery_id=held.id, number=1, at=NOW, status_code=200, error=None, duration_ms=5
    )
    assert await accounts.webhooks.record(attempt, replace(held, attempts=1), "w1")


def a_failure() -> StoredOutcome:
    return Failure(ProviderFailed(provider=PROVIDER, kind=ProviderErrorKind.MODERATION, detail=""))


# -- looking records up through the stores' public reads -------------------------------------


async def seen(accounts: Accounts, records: Records) -> dict[str, Any]:
    """Everything the stores' read methods tell about one user (claims with the hash first
    given only read: they replay or say "still running")."""
    user = records.user
    return {
        "plan": await accounts.quota.plan_of(user),
        "counters": await accounts.quota.counters(user, NOW),
        "reservations": [await accounts.quota.reservation(r) for r in records.reservations],
        "lines": await accounts.ledger.for_user(user),
        "lines between": await accounts.ledger.between(EPOCH, user_id=user),
        "operations": [await accounts.operations.get(o) for o in records.operations],
        "keys": await accounts.keys.keys_of(user),
        "found keys": [await accounts.keys.find(key.prefix) for key in records.keys],
        "key users": [await accounts.keys.user_for_key(key.key_hash) for key in records.keys],
        "alerts": await accounts.alerts.for_user(user),
        "claims": [
            await accounts.idempotency.claim(user, "k-done", "h1", NOW),
            await accounts.idempotency.claim(user, "k-running", "h2", NOW),
        ],
    }


async def totals(accounts: Accounts) -> dict[str, tuple[int, int]]:
    """User charges and provider costs over the whole ledger, per billing period."""
    summed: dict[str, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for line in await accounts.ledger.between(EPOCH):
        charge, cost = summed[line.billing_period]
        summed[line.billing_period] = (charge + line.user_charge, cost + line.provider_cost)
    return dict(summed)


async def operator_budget(accounts: Accounts) -> tuple[Counter, Counter]:
    return (
        await accounts.quota.operator_counter(PROVIDER, MONTH),
        await accounts.quota.operator_counter(PROVIDER, LAST_MONTH),
    )


# -- the contract ----------------------------------------------------------------------------


async def test_erasure_reports_what_it_removed_and_kept(accounts: Accounts) -> None:
    await open_account(accounts, "alice")

    report = await accounts.erasure.erase("alice", TOMBSTONE)

    assert report == ErasureReport(
        user_existed=True,
        ledger_lines_kept=5,  # three operations, one last month, one refund
        operations_deleted=4,
        keys_deleted=2,
        idempotency_keys_deleted=2,
        alerts_deleted=1,
    )


async def test_every_total_adds_up_after_erasure(accounts: Accounts) -> None:
    await open_account(accounts, "alice")
    await open_account(accounts, "bob")
    before = await totals(accounts)

    await accounts.erasure.erase("alice", TOMBSTONE)

    assert await totals(accounts) == before
    assert set(before) == {MONTH, LAST_MONTH}


async def test_the_operators_budget_counters_stay(accounts: Accounts) -> None:
    await open_account(accounts, "alice")
    await open_account(accounts, "bob")
    before = await operator_budget(accounts)

    await accounts.erasure.erase("alice", TOMBSTONE)

    assert await operator_budget(accounts) == before
    assert before[0] == Counter(used=2 * PRICE)  # bob's and alice's committed calls


async def test_the_ledger_lines_move_to_the_tombstone_unchanged_otherwise(
    accounts: Accounts,
) -> None:
    alice = await open_account(accounts, "alice")
    lines = await accounts.ledger.for_user("alice")

    await accounts.erasure.erase("alice", TOMBSTONE)

    kept = tuple(replace(line, user_id=TOMBSTONE) for line in lines)
    assert await accounts.ledger.for_user(TOMBSTONE) == kept
    assert await accounts.ledger.for_user(TOMBSTONE, period=LAST_MONTH) == kept[3:4]
    assert await accounts.ledger.between(EPOCH, user_id=TOMBSTONE) == tuple(
        sorted(kept, key=lambda line: line.finished_at)
    )
    for operation_id in alice.operations:
        line = await accounts.ledger.for_operation(operation_id)
        assert line is not None and line.user_id == TOMBSTONE


async def test_nothing_of_the_user_is_found_after_erasure(accounts: Accounts) -> None:
    alice = await open_account(accounts, "alice")

    await accounts.erasure.erase("alice", TOMBSTONE)

    assert await seen(accounts, alice) == {
        "plan": Failure(UnknownUser("alice")),
        "counters": {},
        "reservations": [None] * 3,
        "lines": (),
        "lines between": (),
        "operations": [None] * 4,
        "keys": (),
        "found keys": [(), ()],
        "key users": [None, None],
        "alerts": (),
        "claims": [Claimed(), Claimed()],  # no record left to replay
    }


async def test_a_user_added_again_under_the_same_id_starts_from_nothing(
    accounts: Accounts,
) -> None:
    await open_account(accounts, "alice")
    await accounts.erasure.erase("alice", TOMBSTONE)

    assert await accounts.quota.add_user("alice", METERED.name) == Success(None)

    assert await accounts.quota.counters("alice", NOW) == {}
    # The plan allows 3 requests a minute and 3 were granted: their grants went with the user.
    for number in range(3):
        request = a_request("alice", NOW + timedelta(seconds=10))
        granted = await reserve_alone(accounts.units, f"again_{number}", request)
        assert isinstance(granted, Success)


async def test_another_users_records_are_untouched(accounts: Accounts) -> None:
    await open_account(accounts, "alice")
    bob = await open_account(accounts, "bob")
    before = await seen(accounts, bob)

    await accounts.erasure.erase("alice", TOMBSTONE)

    assert await seen(accounts, bob) == before
    assert before["plan"] == Success(METERED)
    assert len(before["lines"]) == 5


async def test_a_second_erasure_finds_nothing_and_changes_nothing(accounts: Accounts) -> None:
    alice = await open_account(accounts, "alice")
    await open_account(accounts, "bob")
    await accounts.erasure.erase("alice", TOMBSTONE)
    after_first = (await totals(accounts), await accounts.ledger.for_user(TOMBSTONE))

    again = await accounts.erasure.erase("alice", "deleted_0002")

    assert again == ErasureReport(
        user_existed=False,
        ledger_lines_kept=0,
        operations_deleted=0,
        keys_deleted=0,
        idempotency_keys_deleted=0,
        alerts_deleted=0,
    )
    assert (await totals(accounts), await accounts.ledger.for_user(TOMBSTONE)) == after_first
    assert await accounts.ledger.for_user("deleted_0002") == ()
    assert (await seen(accounts, alice))["plan"] == Failure(UnknownUser("alice"))


async def test_lines_of_an_id_that_is_no_user_are_still_tombstoned(accounts: Accounts) -> None:
    await accounts.ledger.append(a_line("ghost", "op_ghost", PRICE))

    report = await accounts.erasure.erase("ghost", TOMBSTONE)

    assert (report.user_existed, report.ledger_lines_kept) == (False, 1)
    assert await accounts.ledger.for_user("ghost") == ()
    assert await accounts.ledger.for_user(TOMBSTONE) == (a_line(TOMBSTONE, "op_ghost", PRICE),)


async def test_unsettled_operations_are_those_not_final(accounts: Accounts) -> None:
    await accounts.quota.add_user("alice", METERED.name)
    for status in reversed(OperationStatus):
        await accounts.operations.save(an_operation("alice", f"op_{status.value}", status))
    await accounts.operations.save(an_operation("bob", "op_bob", OperationStatus.SUBMITTED))

    assert await accounts.erasure.unsettled_operations("alice") == (
        "op_requested",
        "op_reserved",
        "op_submitted",
        "op_unknown",
    )
    assert await accounts.erasure.unsettled_operations("carol") == ()


@pytest.mark.parametrize("status", [s for s in OperationStatus if not s.is_final])
async def test_erasure_is_refused_while_an_operation_is_unsettled(
    accounts: Accounts, status: OperationStatus
) -> None:
    alice = await open_account(accounts, "alice")
    await accounts.operations.save(an_operation("alice", "op_busy", status))
    before = (await seen(accounts, alice), await totals(accounts))

    with pytest.raises(ValueError, match="op_busy"):
        await accounts.erasure.erase("alice", TOMBSTONE)

    assert (await seen(accounts, alice), await totals(accounts)) == before


async def test_erasure_is_refused_while_a_reservation_holds(accounts: Accounts) -> None:
    alice = await open_account(accounts, "alice")
    request = a_request("alice", NOW + timedelta(minutes=5))
    assert isinstance(await reserve_alone(accounts.units, "res_held", request), Success)
    before = (await seen(accounts, alice), await operator_budget(accounts))

    with pytest.raises(ValueError, match="res_held"):
        await accounts.erasure.erase("alice", TOMBSTONE)

    assert (await seen(accounts, alice), await operator_budget(accounts)) == before


async def test_erasure_waits_for_a_unit_reserving_for_the_user_then_is_refused(
    accounts: Accounts,
) -> None:
    """A unit that has reserved for the user but not yet committed: the erasure must not find
    nothing held, erase, and then see the unit's hold land on a user who is gone."""
    await open_account(accounts, "alice")
    request = a_request("alice", NOW + timedelta(minutes=5))
    reserved = asyncio.Event()

    async def reserving() -> None:
        async with accounts.units.begin() as unit:
            assert isinstance(await unit.quota.reserve("res_racing", request), Success)
            reserved.set()
            await asyncio.sleep(0.3)
            await unit.commit()

    racing = asyncio.create_task(reserving())
    await reserved.wait()
    with pytest.raises(ValueError, match="res_racing"):
        await accounts.erasure.erase("alice", TOMBSTONE)
    await racing
    assert isinstance(await accounts.quota.plan_of("alice"), Success)
    held = await accounts.quota.reservation("res_racing")
    assert held is not None and held.is_open, held


@pytest.mark.parametrize("tombstone", ["alice", "bob"])
async def test_a_tombstone_naming_a_user_is_refused(accounts: Accounts, tombstone: str) -> None:
    alice = await open_account(accounts, "alice")
    await accounts.quota.add_user("bob", METERED.name)
    before = await seen(accounts, alice)

    with pytest.raises(ValueError, match="tombstone"):
        await accounts.erasure.erase("alice", tombstone)

    assert await seen(accounts, alice) == before


# -- SQL: every table, one transaction -------------------------------------------------------


async def _browser_session(engine: AsyncEngine, user: str) -> None:
    sessions = SqlBrowserSessions(engine)
    await sessions.add(
        BrowserSession(
            id_hash=f"session-of-{user}",
            role="user",
            user_id=user,
            key_hash=None,
            created_at=NOW,
            expires_at=NOW + timedelta(days=1),
        )
    )
    await sessions.add_link(
        SignInLink(
            token_hash=f"link-of-{user}",
            user_id=user,
            created_at=NOW,
            expires_at=NOW + timedelta(minutes=10),
        )
    )


def sql_engine(accounts: Accounts) -> AsyncEngine:
    assert accounts.engine is not None
    return accounts.engine


async def every_row(engine: AsyncEngine) -> dict[str, list[dict[str, Any]]]:
    async with engine.connect() as connection:
        return {
            table.name: sorted(
                (dict(row._mapping) for row in await connection.execute(select(table))),
                key=repr,
            )
            for table in tables.metadata.sorted_tables
        }


def is_alices(table: str, row: dict[str, Any]) -> bool:
    if table == "users":
        return bool(row["id"] == "alice")
    if table == "quota_counters":
        return bool(row["scope"] == Scope.USER.value and row["owner"] == "alice")
    if table == "webhook_attempts":  # of the delivery `webhook_delivered` made for her
        return bool(row["delivery_id"] == delivery_id("op_alice_1", OperationEventKind.SETTLED, 0))
    return bool(row.get("user_id") == "alice")


async def test_sql_erasure_removes_exactly_the_users_rows_in_every_table(
    sql_accounts: Accounts,
) -> None:
    accounts, engine = sql_accounts, sql_engine(sql_accounts)
    await open_account(accounts, "alice")
    await open_account(accounts, "bob")
    before = await every_row(engine)

    await accounts.erasure.erase("alice", TOMBSTONE)

    expected = {
        table: sorted(
            (
                {**row, "user_id": TOMBSTONE}
                if table == "ledger" and row["user_id"] == "alice"
                else row
                for row in rows
                if table == "ledger" or not is_alices(table, row)
            ),
            key=repr,
        )
        for table, rows in before.items()
    }
    assert await every_row(engine) == expected
    holding_users = [name for name, table in tables.metadata.tables.items() if "user_id" in table.c]
    missing = [
        name
        for name in [*holding_users, "users", "quota_counters"]
        if not any(is_alices(name, row) for row in before[name])
    ]
    assert missing == [], "open_account must give the user rows in every table that names users"


@pytest.mark.parametrize(
    "failing_table", [tables.operations, tables.alerts, tables.users], ids=lambda table: table.name
)
async def test_sql_erasure_failing_half_way_changes_nothing(
    sql_accounts: Accounts, failing_table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts, engine = sql_accounts, sql_engine(sql_accounts)
    await open_account(accounts, "alice")
    await open_account(accounts, "bob")
    before = await every_row(engine)
    execute = AsyncConnection.execute

    async def failing(self: AsyncConnection, statement: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(statement, Delete) and statement.table is failing_table:
            raise RuntimeError("the disk is full")
        return await execute(self, statement, *args, **kwargs)

    monkeypatch.setattr(AsyncConnection, "execute", failing)

    with pytest.raises(RuntimeError, match="disk is full"):
        await accounts.erasure.erase("alice", TOMBSTONE)

    monkeypatch.undo()
    assert await every_row(engine) == before
