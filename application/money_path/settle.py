"""Settle: the one transaction that closes an operation (or writes an adjustment).

The reservation committed or released, the ledger line, the asset rows, the operation's new
status and the idempotency key's outcome are written together or not at all, conditional on the
operation's status being the one the writer read — so of a late process and a sweeper, exactly
one settles. The live run, reconciliation, the sweep, local operations and adjustments all
settle here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from returns.result import Failure, Result, Success

from imagestudio.application.money_path.verdict import Money
from imagestudio.application.money_path.webhook_outbox import write_owed
from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.ports.unit_of_work import Moved, UnitOfWork
from imagestudio.application.threshold_alerts import Reading, ThresholdAlerts
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import RefundTooLarge
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.quota import Counter, DimensionKey, Settlement
from imagestudio.domain.usage_record import UsageRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class KeepKey:
    """The key stays "in progress": the operation is still recoverable (unknown, a fallback)."""


@dataclass(frozen=True, slots=True)
class ForgetKey:
    """The key is freed: nothing worth replaying happened (cancelled before sending)."""


@dataclass(frozen=True, slots=True)
class FinishKey:
    """Every later retry with the key replays `outcome`."""

    outcome: StoredOutcome


KeyChange = KeepKey | ForgetKey | FinishKey


@dataclass(frozen=True, slots=True, kw_only=True)
class Closing:
    """Everything one settlement writes, decided before its transaction starts."""

    expected: OperationStatus
    """The status the writer read: the change happens only if it is still stored."""
    operation: ImageOperation
    """The operation's new state."""
    money: Money
    settlement: Settlement | None = None
    """What a `Money.COMMIT` moves into used."""
    line: UsageRecord | None = None
    assets: tuple[Asset, ...] = ()
    key: KeyChange = field(default_factory=KeepKey)
    limits: Mapping[DimensionKey, Limit] = field(default_factory=dict)
    """The finite limits a commit moves the user's use of (`alert_limits`): their thresholds are
    checked against the counters the commit left, with nothing to read."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settled:
    """What a committed settlement wrote, as told to listeners after the commit."""

    line: UsageRecord | None
    operation: ImageOperation | None = None
    assets: tuple[Asset, ...] = ()


Listener = Callable[[Settled], Awaitable[None]]
Hook = Callable[[Settled], None]


class Settle:
    """Writes closings and adjustments, each in one unit of work; tells listeners afterwards."""

    def __init__(
        self,
        unit_of_work: UnitOfWork,
        alerts: ThresholdAlerts | None = None,
        listeners: Sequence[Listener] = (),
    ) -> None:
        self._unit_of_work = unit_of_work
        self._alerts = alerts
        self._listeners = list(listeners)
        self._hooks: list[Hook] = []

    def on_commit(self, hook: Hook) -> None:
        """Call `hook` (quick, plain, no I/O) right after every committed settlement, before
        the writer goes on: with nothing to await it cannot be cut short, and needs no task of
        its own (the process's own bookkeeping: waking the webhook worker)."""
        self._hooks.append(hook)

    def listen(self, listener: Listener) -> None:
        """Call `listener` after every committed settlement (never before, never for a rolled
        back one); a listener that fails is logged and the money path goes on."""
        self._listeners.append(listener)

    async def close(self, closing: Closing) -> None:
        """Write `closing` in one transaction; `StaleOperation` (nothing written) when the
        operation's status is no longer `closing.expected`."""
        operation = closing.operation
        async with self._unit_of_work.begin() as unit:
            await unit.operations.advance(closing.expected, operation)
            await write_owed(unit, operation)
            reservation_id = operation.reservation_id
            moved = Moved()
            if reservation_id is not None and closing.money is Money.COMMIT:
                assert closing.settlement is not None
                moved = await unit.quota.commit(reservation_id, closing.settlement)
            elif reservation_id is not None and closing.money is Money.RELEASE:
                await unit.quota.release(reservation_id)
            if closing.line is not None:
                await unit.ledger.append(closing.line)
            for asset in closing.assets:
                await unit.assets.add(asset)
            key = operation.idempotency_key
            if key is not None and isinstance(closing.key, FinishKey):
                await unit.idempotency.finish(operation.user_id, key, closing.key.outcome)
            elif key is not None and isinstance(closing.key, ForgetKey):
                await unit.idempotency.forget(operation.user_id, key)
            await unit.commit()
        settled = Settled(line=closing.line, operation=operation, assets=closing.assets)
        self._run_hooks(settled)
        # Committed: told even if the caller is cancelled meanwhile (shielded), as a listener
        # keeping the host's books must hear every committed settlement. With nothing to
        # await, no task for it (the money path settles three or four times per operation).
        due = []
        if self._alerts is not None and closing.limits and moved.counters:
            due = self._alerts.due(moved.counters, closing.limits)
        if due or self._listeners:
            await asyncio.shield(self._after_close(settled, due))

    async def adjust(self, line: UsageRecord) -> Result[Counter, RefundTooLarge]:
        """Append an adjustment line and move the user's spend by its charge, in one step."""
        async with self._unit_of_work.begin() as unit:
            moved = await unit.quota.adjust_spend(
                line.user_id, line.billing_period, line.user_charge
            )
            if isinstance(moved, Failure):
                return moved
            await unit.ledger.append(line)
            await unit.commit()
        self._run_hooks(Settled(line=line))
        await asyncio.shield(self._after_adjust(line))
        return Success(moved.unwrap())

    async def _after_close(self, settled: Settled, due: Sequence[Reading]) -> None:
        if due and self._alerts is not None and settled.operation is not None:
            await self._alerts.reached(settled.operation.user_id, due)
        await self._tell(settled)

    async def _after_adjust(self, line: UsageRecord) -> None:
        if self._alerts is not None and line.user_charge > 0:
            await self._alerts.check(line.user_id, line.finished_at)
        await self._tell(Settled(line=line))

    def _run_hooks(self, settled: Settled) -> None:
        for hook in self._hooks:
            try:
                hook(settled)
            except Exception:
                log.exception("a settlement hook failed; the settlement stands")

    async def _tell(self, settled: Settled) -> None:
        for listener in self._listeners:
            try:
                await listener(settled)
            except asyncio.CancelledError:
                # This task is shielded: unless it is itself being cancelled (the loop ending),
                # the listener raised it of its own, and the next listeners must still hear.
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise
                log.exception("a settlement listener failed; the settlement stands")
            except Exception:
                log.exception("a settlement listener failed; the settlement stands")
