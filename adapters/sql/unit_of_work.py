"""The unit of work on SQL: a unit's stores share one transaction on one connection."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from functools import cached_property
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
from imagestudio.adapters.sql.webhooks import SqlUnitOutbox
from imagestudio.application.ports.idempotency import DEFAULT_RETENTION
from imagestudio.application.ports.unit_of_work import StoreUnavailable, Unit


class SqlUnit:
    """The `Unit` port: quota, ledger, operations, keys, asset rows and the webhook outbox in one
    transaction."""

    def __init__(self, transaction: Transaction, retention: timedelta) -> None:
        self._transaction = transaction
        self._retention = retention

    # Made when first used: most units use one or two of the six.
    @cached_property
    def quota(self) -> SqlUnitQuota:
        return SqlUnitQuota(self._transaction)

    @cached_property
    def ledger(self) -> SqlUnitLedger:
        return SqlUnitLedger(self._transaction)

    @cached_property
    def operations(self) -> SqlUnitOperations:
        return SqlUnitOperations(self._transaction)

    @cached_property
    def idempotency(self) -> SqlUnitKeys:
        return SqlUnitKeys(self._transaction, self._retention)

    @cached_property
    def assets(self) -> SqlUnitAssets:
        return SqlUnitAssets(self._transaction)

    @cached_property
    def outbox(self) -> SqlUnitOutbox:
        return SqlUnitOutbox(self._transaction)

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
        return self._unit()

    @asynccontextmanager
    async def _unit(self) -> AsyncIterator[Unit]:
        async with self.database.transaction() as transaction:
            yield SqlUnit(transaction, self._retention)

    async def aclose(self) -> None:
        await self.database.dispose()
