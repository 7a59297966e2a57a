"""Reconcile: settle every operation whose outcome at the provider was left unknown.

With a provider task id, the task is looked up (read-only; nothing is ever re-submitted): found
completed → its outputs are fetched, stored and charged; failed → released; gone (its result
expired, perhaps after it completed and was billed) → released, its price kept as a possible
provider cost, like a call never confirmed. A call whose
submission the provider never confirmed (no task id: the reply was lost) cannot be looked up: it
is waited on for `unresolved_after`, then the user's reservation is released and the price is
recorded as a possible provider cost, outcome `unknown_unresolved`. Operations are taken under a
lease, so two reconcilers (or a reconciler and the process that sent them) never settle one twice.
The report ends with every operation still unfinished: what each waits for, and when.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace
from datetime import timedelta

from returns.result import Success

from imagestudio.application.money_path.finish import Answered
from imagestudio.application.money_path.outputs import stored_outputs
from imagestudio.application.money_path.task_lookup import (
    ask_about_tasks,
    prepared_again,
    sorted_answers,
)
from imagestudio.application.operation_ports import LeasePolicy, OperationPorts
from imagestudio.application.operation_views import OperationView, OperationViews
from imagestudio.application.operation_waits import (
    DEFAULT_RECHECK_AFTER,
    DEFAULT_TASK_RETENTION,
    DEFAULT_UNRESOLVED_AFTER,
    ReconcileTiming,
)
from imagestudio.application.ports.provider import (
    LookupOutcome,
    ProviderSuccess,
)
from imagestudio.application.round_limit import checked_round
from imagestudio.application.use_cases.run_operation import RunOperation
from imagestudio.domain.errors import OutcomeUnknown
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_query import UNFINISHED, OperationQuery

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconcileReport:
    succeeded: tuple[str, ...] = ()
    """Found completed at the provider: outputs stored, the user charged."""
    failed: tuple[str, ...] = ()
    """Failed or filtered: released (filtered cost kept as ours)."""
    unresolved: tuple[str, ...] = ()
    """Never confirmed by the provider past the deadline, or a task it named and no longer
    knows (its result expired): released, price kept as possible provider cost."""
    pending: tuple[str, ...] = ()
    """Still running at the provider, or not yet past the deadline: looked at again later."""
    waiting: tuple[OperationView, ...] = ()
    """After this round, every operation not yet final (of every user; newest first, at most
    the round's `limit`): what each still holds, what it waits for and when it is next acted
    on — those another reconciler or process holds, and those still running, included."""


class Reconcile:
    """Settles `unknown` operations against what their provider says now."""

    def __init__(
        self,
        ports: OperationPorts,
        run_operation: RunOperation,
        lease: LeasePolicy | None = None,
        *,
        unresolved_after: timedelta = DEFAULT_UNRESOLVED_AFTER,
        recheck_after: timedelta = DEFAULT_RECHECK_AFTER,
        task_retention: timedelta = DEFAULT_TASK_RETENTION,
    ) -> None:
        self._ports = ports
        self._run_operation = run_operation
        self._lease = lease or LeasePolicy(holder=ports.ids.new_id("reconciler"))
        self.timing = ReconcileTiming(
            unresolved_after=unresolved_after,
            recheck_after=recheck_after,
            task_retention=task_retention,
        )
        self._views = OperationViews(ports.quota, ports.clock, self.timing)

    async def execute(self, limit: int = 100) -> ReconcileReport:
        """Look at up to `limit` unknown operations nobody else reconciles; settle what can be."""
        limit = checked_round(limit)
        now = self._ports.clock.now()
        leased_until = now + self.timing.recheck_after
        taken = await self._ports.leases.take_unknown(now, self._lease.holder, leased_until, limit)
        verdicts: dict[str, list[str]] = {
            "succeeded": [],
            "failed": [],
            "unresolved": [],
            "pending": [],
        }
        for operation_id in taken:
            if self._ports.clock.now() >= leased_until:
                # The round outlasted its lease: the rest may be another reconciler's by now,
                # and asking the provider twice about one task helps nobody. Left for a later round.
                break
            operation = await self._ports.operations.get(operation_id)
            if operation is None or operation.status is not OperationStatus.UNKNOWN:
                continue
            verdict = await self._reconcile(operation)
            if verdict is not None:  # None: settled by someone else meanwhile; theirs stands
                verdicts[verdict].append(operation_id)
        report = ReconcileReport(
            **{name: tuple(ids) for name, ids in verdicts.items()},
            waiting=await self._waiting(limit),
        )
        settled = len(report.succeeded) + len(report.failed) + len(report.unresolved)
        if settled:
            log.warning(
                "reconciled %d unknown operations (%d succeeded, %d failed, %d unresolved)",
                settled,
                len(report.succeeded),
                len(report.failed),
                len(report.unresolved),
            )
        return report

    async def _reconcile(self, operation: ImageOperation) -> str | None:
        ports = self._ports
        reservation = (
            None
            if operation.reservation_id is None
            else await ports.quota.reservation(operation.reservation_id)
        )
        model = ports.catalog.get(operation.model_id)
        if reservation is not None and not reservation.is_open and await self._settled(operation):
            return None  # another reconciler settled it between our two reads: theirs stands
        if reservation is None or model is None or not reservation.is_open:
            missing = "model" if model is None else "open reservation"
            log.error(
                "operation %s is unknown but has no %s; an operator must look at it",
                operation.id,
                missing,
            )
            return "pending"
        per_call = max(1, model.limits.outputs_per_call)
        calls = math.ceil(operation.outputs_requested / per_call)
        unconfirmed = max(0, calls - len(operation.provider_task_ids))
        unresolved_outputs = max(
            0, operation.outputs_requested - per_call * len(operation.provider_task_ids)
        )
        # Outputs stored before its process died are settled as they are (DESIGN.md), task ids
        # or not: asking again would fetch them again, or lose them once the task expired.
        stored = await stored_outputs(self._ports.assets.content, operation, model.output)
        if operation.provider_task_ids and len(stored) < operation.outputs_requested:
            stored = ()  # some are missing (filtered, perhaps): the tasks say which
        if stored:
            # They are written only once every call answered: delivered, and charged; the
            # rest can never be learnt (no task to ask about): a possible provider cost.
            found: list[tuple[int, LookupOutcome]] | None = [
                (len(stored), ProviderSuccess(artifacts=stored))
            ]
            unresolved_outputs, unconfirmed = operation.outputs_requested - len(stored), 0
        else:
            found = await ask_about_tasks(self._ports.providers, operation, model)
        if found is None:
            if not self._past(operation, self.timing.task_retention):
                return "pending"
            # The provider no longer keeps the task: nothing more can ever be learnt.
            found, unresolved_outputs = [], operation.outputs_requested
        elif unconfirmed and not self._past(operation, self.timing.unresolved_after):
            return "pending"
        outcomes = sorted_answers(
            operation.provider, found, unresolved_outputs, self.timing.unresolved_after
        )
        # Never deliver (or count) more than was asked and reserved.
        outcomes = replace(outcomes, artifacts=outcomes.artifacts[: operation.outputs_requested])
        prepared = prepared_again(operation, model, reservation)
        result = await self._run_operation.finish.answered(
            Answered(
                prepared=prepared,
                operation=operation,
                reservation=reservation,
                outcomes=outcomes,
                task_ids=operation.provider_task_ids,
                started=operation.created_at,
                stored=bool(stored),
            )
        )
        if isinstance(result, Success):
            return "succeeded"
        error = result.failure()
        if isinstance(error, OutcomeUnknown):
            return None
        return "unresolved" if error is outcomes.unresolved_error else "failed"

    async def _waiting(self, limit: int) -> tuple[OperationView, ...]:
        unfinished = await self._ports.operations.find(
            None, OperationQuery(statuses=UNFINISHED), after=None, limit=limit
        )
        return tuple([await self._views.of(tracked) for tracked in unfinished])

    async def _settled(self, operation: ImageOperation) -> bool:
        """Whether `operation` is no longer `unknown` when read again."""
        now = await self._ports.operations.get(operation.id)
        return now is None or now.status is not OperationStatus.UNKNOWN

    def _past(self, operation: ImageOperation, wait: timedelta) -> bool:
        return self._ports.clock.now() - operation.updated_at >= wait
