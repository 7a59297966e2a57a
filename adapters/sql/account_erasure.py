"""Account erasure on SQL: every table that names the user, changed in one transaction.

The ledger keeps its lines under the tombstone; everything else of the user is deleted. The
operator's budget counters are shared by every user of a provider (scope `operator`, owned by
the provider) and stay. The user's row is locked first, as `reserve` locks it, so no
reservation of the user can start or be half-way while the erasure runs.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.engine import reading
from imagestudio.adapters.sql.stored_text import unstorable
from imagestudio.application.ports.account_erasure import ErasureReport
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.quota import Scope
from imagestudio.domain.reservation import ReservationState

UNSETTLED = sorted(status.value for status in OperationStatus if not status.is_final)
"""Requested, reserved, submitted and unknown: their money or outputs are still to come."""


class SqlAccountErasure:
    """The `AccountErasure` port on the SQL schema."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._reader = reading(engine)

    async def unsettled_operations(self, user_id: str) -> tuple[str, ...]:
        if unstorable(user_id):
            return ()
        async with self._reader.connect() as connection:
            return await _unsettled(connection, user_id)

    async def erase(self, user_id: str, tombstone: str) -> ErasureReport:
        """Raises ValueError, changing nothing, if the tombstone names a user (the lines would
        join that user's account) or if the user has unsettled work (money still held)."""
        if tombstone == user_id:
            raise ValueError("the tombstone must differ from the user id")
        if unstorable(user_id):  # no record can name it: nothing to erase
            return ErasureReport(
                user_existed=False,
                ledger_lines_kept=0,
                operations_deleted=0,
                keys_deleted=0,
                idempotency_keys_deleted=0,
                alerts_deleted=0,
            )
        async with self._engine.begin() as connection:
            users = t.users.c
            existed = (
                await connection.scalar(
                    select(users.id).where(users.id == user_id).with_for_update()
                )
                is not None
            )
            if await connection.scalar(select(users.id).where(users.id == tombstone)):
                raise ValueError(f"the tombstone {tombstone!r} is a user's id")
            await _refuse_unsettled(connection, user_id)
            lines = await connection.execute(
                update(t.ledger).where(t.ledger.c.user_id == user_id).values(user_id=tombstone)
            )
            operations = await connection.execute(
                delete(t.operations).where(t.operations.c.user_id == user_id)
            )
            idempotency = await connection.execute(
                delete(t.idempotency_keys).where(t.idempotency_keys.c.user_id == user_id)
            )
            alerts = await connection.execute(delete(t.alerts).where(t.alerts.c.user_id == user_id))
            counters = t.quota_counters.c
            await connection.execute(
                delete(t.quota_counters).where(
                    counters.scope == Scope.USER.value, counters.owner == user_id
                )
            )
            await connection.execute(
                delete(t.reservations).where(t.reservations.c.user_id == user_id)
            )
            await connection.execute(
                delete(t.request_grants).where(t.request_grants.c.user_id == user_id)
            )
            # Their storage totals, zero once their assets went first; kept while an asset is
            # left (a crash half-way): the run again that deletes it also ends the totals.
            owners = t.asset_owners.c
            await connection.execute(
                delete(t.asset_owners).where(
                    owners.owner == user_id, owners.bytes == 0, owners.assets == 0
                )
            )
            # So do the studio's sessions and sign-in links.
            await connection.execute(
                delete(t.browser_sessions).where(t.browser_sessions.c.user_id == user_id)
            )
            await connection.execute(
                delete(t.sign_in_links).where(t.sign_in_links.c.user_id == user_id)
            )
            # Their webhooks: secret seed, deliveries (URLs of theirs) and attempts.
            deliveries = select(t.webhook_deliveries.c.id).where(
                t.webhook_deliveries.c.user_id == user_id
            )
            await connection.execute(
                delete(t.webhook_attempts).where(
                    t.webhook_attempts.c.delivery_id.in_(deliveries.scalar_subquery())
                )
            )
            await connection.execute(
                delete(t.webhook_deliveries).where(t.webhook_deliveries.c.user_id == user_id)
            )
            await connection.execute(
                delete(t.webhook_secrets).where(t.webhook_secrets.c.user_id == user_id)
            )
            # Keys reference the user's row: they go before it.
            keys = await connection.execute(
                delete(t.api_keys).where(t.api_keys.c.user_id == user_id)
            )
            await connection.execute(delete(t.users).where(users.id == user_id))
            return ErasureReport(
                user_existed=existed,
                ledger_lines_kept=lines.rowcount,
                operations_deleted=operations.rowcount,
                keys_deleted=keys.rowcount,
                idempotency_keys_deleted=idempotency.rowcount,
                alerts_deleted=alerts.rowcount,
            )


async def _unsettled(connection: AsyncConnection, user_id: str) -> tuple[str, ...]:
    c = t.operations.c
    rows = await connection.execute(
        select(c.id).where(c.user_id == user_id, c.status.in_(UNSETTLED)).order_by(c.id)
    )
    return tuple(rows.scalars())


async def _refuse_unsettled(connection: AsyncConnection, user_id: str) -> None:
    """Deleting a held reservation would leave its hold on the operator's budget for good."""
    busy = await _unsettled(connection, user_id)
    r = t.reservations.c
    held = tuple(
        (
            await connection.execute(
                select(r.id)
                .where(r.user_id == user_id, r.state == ReservationState.HELD.value)
                .order_by(r.id)
            )
        ).scalars()
    )
    if busy or held:
        raise ValueError(
            f"user {user_id!r} has unsettled operations {busy} or held reservations {held}"
        )
