"""The unit of work on SQL: a unit's stores share one transaction on one connection."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from types import TracebackType
from typing import Any

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError

from imagestudio.adapters.sql.database import Database, open_database
from imagestudio.adapters.sql.transaction import Transaction
from imagestudio.adapters.sql.unit_stores import (
    SqlUnitAssets,
    SqlUnitKeys,
    SqlUnitLedger,
    SqlUnitOperations,
    SqlUnitQuota,
)
from imagestudio.adapters.sql.webhook_outbox import SqlUnitOutbox
from imagestudio.application.ports.idempotency import DEFAULT_RETENTION
from imagestudio.application.ports.unit_of_work import StoreUnavailable, Unit


class SqlUnit:
    """The `Unit` port: quota, ledger, operations, keys, asset rows and the webhook outbox in one
    transaction."""

    __slots__ = ("_transaction", "assets", "idempotency", "ledger", "operations", "outbox", "quota")

    def __init__(self, transaction: Transaction, retention: timedelta) -> None:
        # All six at once: each only keeps the transaction, and made this way they cost less
        # than `cached_property` made one or two of them (its first read takes a lock).
        self._transaction = transaction
        self.quota = SqlUnitQuota(transaction)
        self.ledger = SqlUnitLedger(transaction)
        self.operations = SqlUnitOperations(transaction)
        self.idempotency = SqlUnitKeys(transaction, retention)
        self.assets = SqlUnitAssets(transaction)
        self.outbox = SqlUnitOutbox(transaction)

    async def commit(self) -> None:
        try:
            await self._transaction.commit()
        except (OperationalError, InterfaceError, SQLAlchemyTimeoutError) as error:
            # The database, not our data, failed: typed, so callers never take it for a
            # refusal of theirs or an outcome left unknown.
            raise StoreUnavailable(f"the database failed: {error}") from error


class SqlUnitOfWork:
    """The `UnitOfWork` port on SQLite or PostgreSQL (database.py says how each runs).

    `database` is an open `Database`, or a URL to open one at (`engine_options` go to its
    engine); `aclose()` disposes of it. Idempotency keys expire `retention` after their claim.
    """

    def __init__(
        self,
        database: Database | str,
        *,
        retention: timedelta = DEFAULT_RETENTION,
        **engine_options: Any,
    ) -> None:
        if retention <= timedelta(0):
            raise ValueError("idempotency keys must be kept for some time")
        if isinstance(database, str):
            database = open_database(database, **engine_options)
        self.database = database
        self._retention = retention

    def begin(self) -> AbstractAsyncContextManager[Unit]:
        return _Turn(self.database.transaction(), self._retention)

    async def aclose(self) -> None:
        await self.database.dispose()


class _Turn:
    """One unit in its database transaction (a class, not a generator-based context manager:
    the money path begins three or four units per operation)."""

    __slots__ = ("_retention", "_transaction")

    def __init__(
        self, transaction: AbstractAsyncContextManager[Transaction], retention: timedelta
    ) -> None:
        self._transaction = transaction
        self._retention = retention

    async def __aenter__(self) -> Unit:
        return SqlUnit(await self._transaction.__aenter__(), self._retention)

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> bool | None:
        return await self._transaction.__aexit__(kind, error, trace)
