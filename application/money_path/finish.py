"""Finishing an operation once its provider has answered (live, or found by reconciliation):
store the outputs, decide the verdict, settle — the same way whoever finishes it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from returns.result import Failure, Success

from imagestudio.application.money_path.endings import (
    error_text,
    line_of,
    moved,
    result_of,
    unknown,
)
from imagestudio.application.money_path.keys import falls_back, key_change
from imagestudio.application.money_path.outputs import describe, measured, store_bytes
from imagestudio.application.money_path.settle import (
    Closing,
    Settle,
)
from imagestudio.application.money_path.verdict import (
    Money,
    Verdict,
    cancelled,
    charge_for,
    decide,
    settled_outcomes,
)
from imagestudio.application.operation_ports import OperationPorts, StoredOutcome
from imagestudio.application.outcomes import CallOutcomes
from imagestudio.application.ports.unit_of_work import StaleOperation, StoreUnavailable
from imagestudio.application.prepared_operation import PreparedOperation
from imagestudio.application.threshold_alerts import alert_limits, moves_finite_use
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import (
    OutputLost,
)
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.reservation import Reservation

log = logging.getLogger(__name__)
S = OperationStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class Answered:
    """An operation whose provider calls have all answered (or were given up on)."""

    prepared: PreparedOperation
    operation: ImageOperation
    """As stored now: `reserved`, `submitted` or `unknown`."""
    reservation: Reservation
    outcomes: CallOutcomes
    task_ids: tuple[str, ...]
    started: datetime
    may_fall_back: bool = False
    """Another provider may still be tried: a retryable failure is not the key's outcome yet."""
    fall_back_as: str | None = None
    """The id the next provider's operation will take if this one fails with its provider's own
    trouble: written on this one as it settles (`continued_by`)."""
    stored: bool = False
    """The outputs' bytes are stored already (found by reconciliation): never written again."""


class Finish:
    """Stores what came back, decides, and settles in one transaction."""

    def __init__(self, ports: OperationPorts, settle: Settle) -> None:
        self._ports = ports
        self._settle = settle

    async def answered(self, answered: Answered) -> StoredOutcome:
        """Settle `answered`; what the caller (or the key) gets back."""
        ports = self._ports
        provider = answered.operation.provider
        outcomes = settled_outcomes(answered.outcomes, provider)
        artifacts = tuple(measured(a, ports.inspector) for a in outcomes.artifacts)
        if any(new is not old for new, old in zip(artifacts, outcomes.artifacts, strict=True)):
            outcomes = replace(outcomes, artifacts=artifacts)
        assets: tuple[Asset, ...] = ()
        lost: OutputLost | None = None
        if artifacts and not outcomes.unknown:
            charge, _ = charge_for(outcomes, answered.prepared)
            assets = describe(answered.operation, artifacts, charge, ports.clock)
            stored = (
                Success(None)
                if answered.stored
                else await store_bytes(ports.assets.content, assets, artifacts)
            )
            if isinstance(stored, Failure):
                lost, assets = stored.failure(), ()
                log.error(
                    "operation %s: the provider's output was lost: %s",
                    answered.operation.id,
                    lost.detail,
                )
        verdict = decide(outcomes, answered.prepared, lost)
        return await self._close(answered, verdict, assets, outcomes.failed_reasons)

    async def interrupted(self, answered: Answered, sent: bool) -> None:
        """The caller was cancelled while the provider worked: before sending, released; after,
        held for reconciliation (the provider may bill)."""
        verdict = cancelled(sent, answered.prepared.price)
        await self._close(answered, verdict, (), ())

    async def _close(
        self,
        answered: Answered,
        verdict: Verdict,
        assets: tuple[Asset, ...],
        failed_reasons: tuple[str, ...],
    ) -> StoredOutcome:
        ports = self._ports
        stored = answered.operation
        now = ports.clock.now()
        final = moved(
            stored,
            verdict.status,
            now,
            asset_ids=tuple(asset.id for asset in assets),
            charged=verdict.charge,
            provider_task_ids=answered.task_ids,
            error=None if verdict.status is S.SUCCEEDED else error_text(verdict),
        )
        result = result_of(final, verdict, assets, failed_reasons)
        if answered.fall_back_as and falls_back(result, answered.may_fall_back, verdict.status):
            final = replace(final, continued_by=answered.fall_back_as)
            result = result_of(final, verdict, assets, failed_reasons)
        closing = Closing(
            expected=stored.status,
            operation=final,
            money=verdict.money,
            settlement=verdict.settlement if verdict.money is Money.COMMIT else None,
            line=line_of(final, verdict, assets, answered.reservation, answered.started, now),
            assets=assets,
            key=key_change(result, verdict.status, answered.may_fall_back),
            limits=alert_limits(answered.reservation)
            if verdict.money is Money.COMMIT
            and moves_finite_use(answered.reservation, verdict.settlement)
            else {},
        )
        try:
            await self._settle.close(closing)
        except StaleOperation:
            log.error(
                "operation %s was settled by someone else (a sweeper or reconciler) while this "
                "process stalled; its result is dropped",
                stored.id,
            )
            return Failure(unknown(final))
        except StoreUnavailable:
            # Nothing of the settlement was kept: the operation stays as it was, leased, and
            # is settled by the sweep and reconciliation once the lease runs out.
            log.exception("operation %s could not be settled now; recovery will", stored.id)
            return Failure(unknown(final))
        if verdict.status is S.UNKNOWN:
            log.warning(
                "operation %s left unknown for reconciliation: %s", stored.id, verdict.reason
            )
        return result
