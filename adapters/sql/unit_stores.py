"""The stores of a SQL unit of work, all on the unit's one transaction.

Reads (reserve, adjust the spend, claim a key) are sent at once, with every write queued before
them; writes are queued and go with the next read or the commit. The SQL is the same the
standalone stores run (reserving.py, settling.py, quota_counters.py, ledger.py, operation_store.py,
idempotency.py, asset_rows.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from returns.result import Result
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from imagestudio.adapters.sql.asset_rows import add_asset
from imagestudio.adapters.sql.key_statements import (
    claim_key,
    finish_key,
    forget_key,
    hand_over_key,
)
from imagestudio.adapters.sql.ledger import insert_line
from imagestudio.adapters.sql.operation_store import advance_operation, insert_operation
from imagestudio.adapters.sql.quota_counters import adjust_spend
from imagestudio.adapters.sql.reserving import ReserveFailed, reserve_with_room
from imagestudio.adapters.sql.settling import settle
from imagestudio.adapters.sql.transaction import Transaction
from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.ports.unit_of_work import Claim, Lease, Moved
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import (
    QuotaRefusal,
    RefundTooLarge,
    StorageQuotaExceeded,
    UnknownUser,
)
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.quota import (
    Counter,
    DimensionKey,
    ReservationRequest,
    Scope,
    Settlement,
)
from imagestudio.domain.reservation import Reservation
from imagestudio.domain.usage_record import UsageRecord


class SqlUnitQuota:
    """`UnitQuota`: a database error while reserving is `ReserveFailed` (nothing was held)."""

    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction

    async def reserve(
        self, reservation_id: str, request: ReservationRequest
    ) -> Result[Reservation, QuotaRefusal | UnknownUser | StorageQuotaExceeded]:
        try:
            return await self._transaction.now(
                lambda connection: reserve_with_room(connection, reservation_id, request)
            )
        except SQLAlchemyError as error:  # the driver's errors, and a pool run dry
            raise ReserveFailed(f"reserving {reservation_id} failed: {error}") from error

    async def commit(self, reservation_id: str, settlement: Settlement) -> Moved:
        moved, left = Moved(), dict[DimensionKey, Counter]()

        def write(connection: Connection) -> None:
            settled = settle(connection, reservation_id, settlement)
            if settled is not None:  # the user's rows the move returned, kept at the commit
                left.update(
                    (key, counter)
                    for key, counter in settled.counters.items()
                    if key.scope is Scope.USER
                )

        self._transaction.later(write)
        self._transaction.when_committed(lambda: moved.counters.update(left))
        return moved

    async def release(self, reservation_id: str) -> None:
        self._transaction.later(lambda connection: settle(connection, reservation_id, None))

    async def adjust_spend(
        self, user_id: str, period: str, amount: int
    ) -> Result[Counter, RefundTooLarge]:
        return await self._transaction.now(
            lambda connection: adjust_spend(connection, user_id, period, amount)
        )


class SqlUnitLedger:
    """`UnitLedger`: a second line for one operation fails the unit (`ValueError`)."""

    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction

    async def append(self, record: UsageRecord) -> None:
        self._transaction.later(lambda connection: insert_line(connection, record))


class SqlUnitOperations:
    """`UnitOperations`: an existing id fails the unit (`ValueError`), a stale status too
    (`StaleOperation`)."""

    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction

    async def add(self, operation: ImageOperation, lease: Lease) -> None:
        self._transaction.later(
            lambda connection: insert_operation(connection, operation, lease.holder, lease.until)
        )

    async def advance(
        self,
        expected: OperationStatus,
        operation: ImageOperation,
        *,
        last_updated: datetime | None = None,
    ) -> None:
        self._transaction.later(
            lambda connection: advance_operation(connection, expected, operation, last_updated)
        )


class SqlUnitKeys:
    """`UnitKeys` on the `idempotency_keys` table; keys expire `retention` after their claim."""

    def __init__(self, transaction: Transaction, retention: timedelta) -> None:
        self._transaction = transaction
        self._retention = retention

    async def claim(
        self, user_id: str, key: str, request_hash: str, at: datetime, operation_id: str
    ) -> Claim:
        retention = self._retention
        return await self._transaction.now(
            lambda connection: claim_key(
                connection, user_id, key, request_hash, at, retention, operation_id
            )
        )

    async def finish(
        self, user_id: str, key: str, outcome: StoredOutcome, *, operation_id: str | None = None
    ) -> None:
        self._transaction.later(
            lambda connection: finish_key(connection, user_id, key, outcome, operation_id)
        )

    async def forget(self, user_id: str, key: str, *, operation_id: str | None = None) -> None:
        self._transaction.later(
            lambda connection: forget_key(connection, user_id, key, operation_id)
        )

    async def hand_over(self, user_id: str, key: str, operation_id: str) -> None:
        self._transaction.later(
            lambda connection: hand_over_key(connection, user_id, key, operation_id)
        )


class SqlUnitAssets:
    """`UnitAssets`: the asset's row, its labels and its owner's running totals."""

    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction

    async def add(self, asset: Asset) -> None:
        self._transaction.later(lambda connection: add_asset(connection, asset))
