"""One attempt: one operation of one model, from accept to settle, under its lease."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from returns.result import Failure

from imagestudio.application.money_path.accept import Accepted, KeyUse, accept
from imagestudio.application.money_path.finish import Answered, Finish
from imagestudio.application.money_path.keys import worth_another_provider
from imagestudio.application.money_path.lease_keeper import LeaseKeeper
from imagestudio.application.money_path.progress import Progress
from imagestudio.application.operation_ports import LeasePolicy, OperationPorts, StoredOutcome
from imagestudio.application.outcomes import CallOutcomes, gather_outcomes, sort_outcomes
from imagestudio.application.ports.idempotency import Replay
from imagestudio.application.ports.unit_of_work import Lease
from imagestudio.application.prepared_operation import PreparedOperation
from imagestudio.application.shielded import shielded
from imagestudio.domain.operation import ImageOperation
from imagestudio.domain.quota import ReservationRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class AttemptEnd:
    outcome: StoredOutcome
    final: bool = False
    """Nothing more to try: a replayed outcome, or a key another request holds."""
    key_kept: bool = False
    """The key was left to a next attempt (a fallback) that may not come."""
    operation_id: str | None = None
    """The operation this attempt ran (None when it never began one)."""


class Attempt:
    """Accept, call the provider, store the outputs, settle: four transactions at most."""

    def __init__(self, ports: OperationPorts, finish: Finish, lease: LeasePolicy) -> None:
        self._ports = ports
        self._finish = finish
        self._lease = lease
        self._leases = LeaseKeeper(ports.leases, ports.clock, lease)

    async def run(
        self,
        prepared: PreparedOperation,
        key_use: KeyUse,
        may_fall_back: bool,
        fall_back_as: str | None = None,
    ) -> AttemptEnd:
        """Run `prepared` as a new operation; what it came to. `fall_back_as`: the id the next
        provider's operation will take, named on this one if it fails over to it."""
        ports = self._ports
        operation = self._new_operation(prepared)
        accepted = await accept(
            ports.unit_of_work,
            operation,
            reservation_request(prepared, operation.created_at),
            Lease(self._lease.holder, operation.created_at + self._lease.ttl),
            key_use,
            prepared.request_hash,
        )
        if isinstance(accepted, Replay):
            return AttemptEnd(outcome=accepted.outcome, final=True)
        if isinstance(accepted, Failure):
            return AttemptEnd(outcome=Failure(accepted.failure()), final=True)
        taken = accepted.unwrap()
        self._ports.progress.started(taken.operation.id, taken.operation.user_id)
        self._leases.keep(taken.operation.id)
        try:
            outcome = await self._call(prepared, taken, may_fall_back, fall_back_as)
        finally:
            self._leases.drop(taken.operation.id)
            self._ports.progress.forget(taken.operation.id)
        return AttemptEnd(
            outcome=outcome,
            key_kept=may_fall_back and worth_another_provider(outcome),
            operation_id=taken.operation.id,
        )

    async def _call(
        self,
        prepared: PreparedOperation,
        taken: Accepted,
        may_fall_back: bool,
        fall_back_as: str | None,
    ) -> StoredOutcome:
        ports = self._ports
        provider = ports.providers.get(prepared.model.provider)
        assert provider is not None, "routing only picks configured providers"
        progress = Progress(ports.unit_of_work, ports.clock, taken.operation, ports.progress)
        started = ports.clock.now()

        def answered(outcomes: CallOutcomes) -> Answered:
            return Answered(
                prepared=prepared,
                operation=progress.operation,
                reservation=taken.reservation,
                outcomes=outcomes,
                task_ids=tuple(progress.task_ids),
                started=started,
                may_fall_back=may_fall_back,
                fall_back_as=fall_back_as,
            )

        try:
            outcomes = await gather_outcomes(provider, prepared, progress)
        except BaseException:
            # CancelledError is not an Exception: settle shielded so the reservation is
            # released (or kept for reconciliation) even while the caller is cancelled.
            nothing = sort_outcomes(provider.name, [])
            await shielded(self._finish.interrupted(answered(nothing), progress.sent))
            raise
        # The provider has answered and may have billed: finish settling even if the caller is
        # cancelled meanwhile, or the outputs would be paid for and never recorded.
        return await shielded(self._finish.answered(answered(outcomes)))

    def _new_operation(self, prepared: PreparedOperation) -> ImageOperation:
        ports = self._ports
        now = ports.clock.now()
        request = prepared.request
        return ImageOperation(
            id=request.operation_id or ports.ids.new_id("op"),
            user_id=request.user_id,
            kind=request.kind,
            model_id=prepared.model.id,
            provider=prepared.model.provider,
            prompt=request.prompt,
            input_digests=prepared.input_digests,
            input_asset_ids=prepared.input_asset_ids,
            parameters=dict(prepared.parameters),
            outputs_requested=request.outputs,
            created_at=now,
            updated_at=now,
            idempotency_key=request.idempotency_key,
            reservation_id=ports.ids.new_id("res"),
            output_size=(prepared.width, prepared.height),
            webhook=request.webhook,
        )


def reservation_request(prepared: PreparedOperation, at: datetime) -> ReservationRequest:
    """What running `prepared` at `at` asks the quota to reserve (a quote asks the same)."""
    return ReservationRequest(
        user_id=prepared.request.user_id,
        category=prepared.request.kind.category,
        outputs=prepared.request.outputs,
        amount=prepared.price,
        provider=prepared.model.provider,
        at=at,
        needs_storage=True,  # the plan's storage room, checked in the same transaction
    )
