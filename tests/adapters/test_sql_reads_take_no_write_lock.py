"""Reads take no write lock: on SQLite every read of the SQL stores begins a plain (deferred)
transaction, so it answers at once while another process holds the write lock, and only a
write sends `BEGIN IMMEDIATE`.

The table of reads must name every public method of every store that is not a write: a new
read method fails here until it is added (and so proved to take no lock).
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from test_store_contracts import a_record, an_operation

import imagestudio.adapters.sql as sql_adapters
from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql.account_erasure import SqlAccountErasure
from imagestudio.adapters.sql.alert_log import SqlAlertLog
from imagestudio.adapters.sql.api_keys import SqlApiKeys
from imagestudio.adapters.sql.asset_library import SqlAssetLibrary
from imagestudio.adapters.sql.browser_sessions import SqlBrowserSessions
from imagestudio.adapters.sql.engine import create_engine
from imagestudio.adapters.sql.idempotency import SqlIdempotencyStore
from imagestudio.adapters.sql.ledger import SqlLedger
from imagestudio.adapters.sql.operation_store import SqlOperationStore
from imagestudio.adapters.sql.quota_administration import SqlQuotaAdministration
from imagestudio.adapters.sql.quota_store import SqlQuotaStore
from imagestudio.adapters.sql.webhook_secrets import SqlSecretSeeds
from imagestudio.adapters.sql.webhooks import SqlWebhookDeliveries
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.domain.api_key import ApiKey
from imagestudio.domain.asset import Asset, AssetCursor
from imagestudio.domain.asset_query import AssetQuery
from imagestudio.domain.limit import Limit
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_kind import OperationKind, QuotaCategory
from imagestudio.domain.operation_query import UNFINISHED, OperationCursor, OperationQuery
from imagestudio.domain.plan import OperatorBudget, Plan
from imagestudio.domain.quota import ReservationRequest
from imagestudio.domain.quota_alert import QuotaAlert

T0 = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
RATED_REQUEST = ReservationRequest(
    user_id="alice",
    category=QuotaCategory.IMAGE_GENERATION,
    outputs=1,
    amount=1,
    provider="fal",
    at=T0,
    needs_storage=True,
)
PROMPTLY = 2.0
"""Seconds a read may take while the write lock is held; a locked read would wait far longer."""
SHORT_BUSY_TIMEOUT_MS = 200
"""So a read that does wait for the lock fails quickly, instead of after the engine's 30 s."""

ADMINISTRATION_WRITES = frozenset(
    {"define_plan", "delete_plan", "assign", "add_user", "add_user_if_missing", "set_budget"}
)
WRITES: dict[type, frozenset[str]] = {
    SqlQuotaAdministration: ADMINISTRATION_WRITES,
    SqlQuotaStore: ADMINISTRATION_WRITES,
    SqlLedger: frozenset({"append"}),
    SqlOperationStore: frozenset(
        {"save", "hold", "take_expired", "take_unknown", "follow_up_seen"}
    ),
    SqlAssetLibrary: frozenset({"add", "relabel", "remove"}),
    SqlApiKeys: frozenset({"add", "replace", "revoke"}),
    SqlBrowserSessions: frozenset({"add", "end", "add_link", "use_link"}),
    SqlWebhookDeliveries: frozenset({"claim", "record", "retry", "purge"}),
    SqlSecretSeeds: frozenset({"seed", "rotate"}),
    SqlAlertLog: frozenset({"record"}),
    SqlAccountErasure: frozenset({"erase"}),
    SqlIdempotencyStore: frozenset({"claim", "finish", "forget"}),
}
"""Every store's methods that write (a method that reads, then writes, is one)."""

READS: list[tuple[type, str, tuple[Any, ...], dict[str, Any]]] = [
    (SqlQuotaAdministration, "budgets", (), {}),
    (SqlQuotaAdministration, "users", (), {}),
    (SqlQuotaStore, "plan_of", ("alice",), {}),
    (SqlQuotaStore, "plans", (), {}),
    (SqlQuotaStore, "budgets", (), {}),
    (SqlQuotaStore, "users", (), {}),
    (SqlQuotaStore, "operator_budget", ("fal",), {}),
    (SqlQuotaStore, "reservation", ("res_1",), {}),
    (SqlQuotaStore, "counters", ("alice", T0), {}),
    (SqlQuotaStore, "operator_counter", ("fal", "2026-03"), {}),
    (SqlQuotaStore, "standing", (RATED_REQUEST,), {}),
    (SqlLedger, "for_user", ("alice",), {}),
    (SqlLedger, "between", (T0,), {}),
    (SqlLedger, "for_operation", ("op_1",), {}),
    (SqlLedger, "page", ("alice",), {"period": "2026-03", "limit": 10}),
    (SqlLedger, "daily_charges", ("alice", "2026-03"), {}),
    (SqlWebhookDeliveries, "page", ("alice", None, 10), {}),
    (SqlWebhookDeliveries, "get", ("wh_1",), {}),
    (SqlOperationStore, "get", ("op_1",), {}),
    (SqlOperationStore, "describe", ("op_1",), {}),
    (SqlOperationStore, "awaiting_follow_up", (T0,), {"limit": 10}),
    (
        SqlOperationStore,
        "find",
        ("alice", OperationQuery(statuses=UNFINISHED, kind=OperationKind.TEXT_TO_IMAGE)),
        {"after": OperationCursor(created_at=T0, operation_id="op_9"), "limit": 10},
    ),
    (SqlOperationStore, "find", (None, OperationQuery()), {"after": None, "limit": 10}),
    (SqlAssetLibrary, "get", ("alice", "ast_1"), {}),
    (
        SqlAssetLibrary,
        "find",
        ("alice", AssetQuery(text="fox")),
        {"after": AssetCursor(created_at=T0, asset_id="ast_3"), "limit": 10},
    ),
    (SqlAssetLibrary, "bytes_used", ("alice",), {}),
    (SqlAssetLibrary, "owners", (), {}),
    (SqlAssetLibrary, "known", ("alice", ["ast_1", "ast_9"]), {}),
    (SqlApiKeys, "find", ("key_1",), {}),
    (SqlApiKeys, "keys_of", ("alice",), {}),
    (SqlApiKeys, "user_for_key", ("hash-1",), {}),
    (SqlBrowserSessions, "find", ("session-hash-1",), {}),
    (SqlAlertLog, "for_user", ("alice",), {}),
    (SqlAccountErasure, "unsettled_operations", ("alice",), {}),
    (SqlIdempotencyStore, "running", (T0,), {"limit": 10}),
]
"""Every read of every store, with arguments that find something where the seed has it."""


def stores_on_the_async_engine() -> set[type]:
    """The `Sql…` classes of the SQL adapters that are built from an `AsyncEngine`."""
    found = set()
    for module_info in pkgutil.iter_modules(sql_adapters.__path__):
        module = importlib.import_module(f"{sql_adapters.__name__}.{module_info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not name.startswith("Sql"):
                continue
            parameters = inspect.signature(cls.__init__, eval_str=True).parameters
            if "engine" in parameters and parameters["engine"].annotation is AsyncEngine:
                found.add(cls)
    return found


def public_methods(cls: type) -> set[str]:
    return {
        name
        for name, _ in inspect.getmembers(cls, inspect.iscoroutinefunction)
        if not name.startswith("_")
    }


def build(cls: type, engine: AsyncEngine) -> Any:
    clocked = cls in (SqlQuotaStore, SqlQuotaAdministration)
    return cls(engine, FixedClock(T0)) if clocked else cls(engine)


@pytest.fixture
async def engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    """A seeded SQLite file, its connections quick to give up on a lock."""
    engine = create_engine(sqlite_url)

    @event.listens_for(engine.sync_engine, "connect")
    def _short_busy_timeout(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA busy_timeout={SHORT_BUSY_TIMEOUT_MS}")

    await schema.upgrade(engine)
    await seed(engine)
    yield engine
    await engine.dispose()


async def seed(engine: AsyncEngine) -> None:
    quota = SqlQuotaStore(engine, FixedClock(T0))
    await quota.define_plan(
        # A finite rate, so the standing read counts the request window too.
        Plan(name="small", spend_cap=Limit.of(1_000_000), requests_per_minute=Limit.of(5))
    )
    await quota.add_user_if_missing("alice", "small")
    await quota.set_budget(OperatorBudget(provider="fal", monthly=Limit.of(5_000_000)))
    await SqlLedger(engine).append(a_record())
    await SqlOperationStore(engine).save(an_operation())
    for number in (1, 2):
        await SqlAssetLibrary(engine).add(an_asset(f"ast_{number}", T0))
    await SqlApiKeys(engine).add(
        ApiKey(id="key_1", user_id="alice", key_hash="hash-1", prefix="is_1", created_at=T0)
    )
    await SqlAlertLog(engine).record(
        QuotaAlert(
            user_id="alice",
            dimension="spend",
            period="2026-03",
            threshold=80,
            used=800,
            limit=1_000,
            at=T0,
        )
    )


def an_asset(asset_id: str, created_at: datetime) -> Asset:
    return Asset(
        id=asset_id,
        owner="alice",
        operation_id="op_1",
        model_id="flux-schnell",
        kind=OperationKind.TEXT_TO_IMAGE,
        media_type=MediaType.PNG,
        size_bytes=100,
        created_at=created_at,
        prompt="a red fox",
        tags=frozenset({"fox"}),
        derived_from=("ast_1",) if asset_id == "ast_2" else (),
    )


@contextmanager
def write_lock_held(engine: AsyncEngine) -> Iterator[None]:
    """Another process's writer: WAL mode, `BEGIN IMMEDIATE` and an INSERT, not committed."""
    path = engine.url.database
    assert path is not None
    writer = sqlite3.connect(Path(path), isolation_level=None)
    try:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "INSERT INTO users (id, plan_name, created_at) VALUES ('bob', 'small', ?)",
            (T0.isoformat(),),
        )
        yield
    finally:
        writer.rollback()
        writer.close()


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every statement the engine sends while the block runs, `BEGIN`s included."""
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def read(engine: AsyncEngine, cls: type, method: str, args: Any, kwargs: Any) -> Any:
    return await getattr(build(cls, engine), method)(*args, **kwargs)


READ_IDS = [f"{cls.__name__}.{method}" for cls, method, _, _ in READS]


def test_every_store_on_the_async_engine_has_its_writes_listed() -> None:
    assert stores_on_the_async_engine() == set(WRITES)


@pytest.mark.parametrize("cls", list(WRITES), ids=lambda cls: cls.__name__)
def test_every_public_method_of_a_store_is_a_listed_read_or_a_write(cls: type) -> None:
    reads = {method for store, method, _, _ in READS if store is cls}

    assert not reads & WRITES[cls]
    assert public_methods(cls) == reads | WRITES[cls]


@pytest.mark.parametrize(("cls", "method", "args", "kwargs"), READS, ids=READ_IDS)
async def test_a_read_answers_while_another_process_holds_the_write_lock(
    engine: AsyncEngine, cls: type, method: str, args: Any, kwargs: Any
) -> None:
    with write_lock_held(engine):
        await asyncio.wait_for(read(engine, cls, method, args, kwargs), PROMPTLY)


@pytest.mark.parametrize(("cls", "method", "args", "kwargs"), READS, ids=READ_IDS)
async def test_a_read_begins_a_plain_transaction_never_begin_immediate(
    engine: AsyncEngine, cls: type, method: str, args: Any, kwargs: Any
) -> None:
    with statements(engine) as sent:
        await read(engine, cls, method, args, kwargs)

    assert "BEGIN" in sent
    assert "BEGIN IMMEDIATE" not in sent


async def test_the_schema_check_answers_while_another_process_holds_the_write_lock(
    engine: AsyncEngine,
) -> None:
    with write_lock_held(engine), statements(engine) as sent:
        revision = await asyncio.wait_for(schema.current_revision(engine), PROMPTLY)

    assert revision == schema.head_revision()
    assert "BEGIN IMMEDIATE" not in sent


async def test_a_write_still_takes_the_write_lock_up_front(engine: AsyncEngine) -> None:
    with statements(engine) as sent:
        await SqlLedger(engine).append(a_record("op_2"))

    assert sent[0] == "BEGIN IMMEDIATE"
