"""The money path of one operation: validate, price, claim, reserve, call, store, commit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime

from returns.result import Failure, Result, Success

from imagestudio.application.glb_vertices import glb_vertex_count
from imagestudio.application.model_choice import candidates
from imagestudio.application.operation_ports import LeasePolicy, OperationPorts, StoredOutcome
from imagestudio.application.outcomes import CallOutcomes, gather_outcomes
from imagestudio.application.ports.idempotency import KeyReusedDifferently, Replay, StillRunning
from imagestudio.application.ports.provider import Artifact
from imagestudio.application.preparation import PreparedOperation, prepare, requested_mode
from imagestudio.application.requests import OperationRequest, OperationResult
from imagestudio.application.storage_quota import storage_refusal
from imagestudio.application.submission_tracker import SubmissionTracker
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import (
    IdempotencyConflict,
    IdempotencyInProgress,
    InvalidInput,
    OperationError,
    OutcomeUnknown,
    OutputFiltered,
    OutputLost,
    ProviderFailed,
)
from imagestudio.domain.media import MediaType
from imagestudio.domain.model import Model
from imagestudio.domain.money import Micros
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.quota import ReservationRequest, Settlement
from imagestudio.domain.usage_record import Outcome, UsageRecord

log = logging.getLogger(__name__)

S = OperationStatus
STORE_ATTEMPTS = 3
MEASURE_MAX_PIXELS = 1 << 30
"""Outputs come from the provider we paid, not from a caller: measure any size it returns."""


@dataclass(slots=True, kw_only=True)
class _Run:
    """One operation while it runs: its latest record, its billing period, when it started."""

    operation: ImageOperation
    period: str
    started: datetime
    sent: bool = False

    @property
    def reservation_id(self) -> str:
        assert self.operation.reservation_id is not None
        return self.operation.reservation_id


class RunOperation:
    """Runs any operation kind through the reservation protocol of DESIGN.md.

    An operation that fails costs nothing and releases its reservation; one cancelled before
    its request is sent is released (shielded from the cancellation); one cancelled after it
    was sent, or whose outcome the provider left unknown, keeps its reservation held for
    reconciliation. An idempotency key replays the first definite outcome.
    """

    def __init__(self, ports: OperationPorts, lease: LeasePolicy | None = None) -> None:
        self._ports = ports
        self._lease = lease or LeasePolicy(holder=ports.ids.new_id("worker"))

    async def execute(self, request: OperationRequest) -> Result[OperationResult, OperationError]:
        """Run `request` once; expected failures come back as typed errors, never exceptions.

        With model `auto`, a rate limit or an outage at the chosen provider moves the request to
        the next capable model of another provider (each attempt its own reserved-and-settled
        operation, so two reservations are never held at once).
        """
        ports = self._ports
        routed = candidates(
            ports.catalog,
            ports.providers,
            request.kind,
            request.model_id,
            ports.routing,
            mode=requested_mode(request),
        )
        if isinstance(routed, Failure):
            return Failure(routed.failure())
        first = await self._first_usable(request, routed.unwrap())
        if isinstance(first, Failure):
            return Failure(first.failure())
        prepared, alternatives = first.unwrap()
        key = request.idempotency_key
        if key is None:
            return await self._spend_routed(prepared, alternatives, _Attempt())
        return await self._spend_once(prepared, key, alternatives)

    async def _first_usable(
        self, request: OperationRequest, models: list[Model]
    ) -> Result[tuple[PreparedOperation, list[Model]], OperationError]:
        """The first model the request is valid for, and the ones after it (for fallback)."""
        first_error: OperationError | None = None
        for position, model in enumerate(models):
            prepared = await prepare(self._ports, request, model=model)
            if isinstance(prepared, Success):
                return Success((prepared.unwrap(), models[position + 1 :]))
            error = prepared.failure()
            first_error = first_error or error
            if not isinstance(error, InvalidInput):
                break  # not about this model (a missing asset…): no other model would do
        assert first_error is not None
        return Failure(first_error)

    async def _spend_routed(
        self, prepared: PreparedOperation, alternatives: list[Model], attempt: _Attempt
    ) -> StoredOutcome:
        tried = {prepared.model.provider}
        attempt.may_fall_back = _other_provider(alternatives, tried)
        outcome = await self._spend(prepared, attempt)
        for model in alternatives:
            if not _worth_another_provider(outcome):
                break
            if model.provider in tried:
                continue
            retry = await prepare(
                self._ports, replace(prepared.request, operation_id=None), model=model
            )
            if isinstance(retry, Failure):
                continue
            tried.add(model.provider)
            attempt.may_fall_back = _other_provider(alternatives, tried)
            log.warning(
                "%s: %s; falling back to %s", prepared.model.id, outcome.failure(), model.id
            )
            prepared = retry.unwrap()
            outcome = await self._spend(prepared, attempt)
        return outcome

    async def _spend_once(
        self, prepared: PreparedOperation, key: str, alternatives: list[Model]
    ) -> StoredOutcome:
        idempotency = self._ports.idempotency
        user = prepared.request.user_id
        claim = await idempotency.claim(user, key, prepared.request_hash, self._ports.clock.now())
        if isinstance(claim, Replay):
            return claim.outcome
        if isinstance(claim, StillRunning):
            return Failure(IdempotencyInProgress(key))
        if isinstance(claim, KeyReusedDifferently):
            return Failure(IdempotencyConflict(key))
        attempt = _Attempt()
        try:
            outcome = await self._spend_routed(prepared, alternatives, attempt)
        except BaseException:
            # Cancelled before sending: nothing to replay, so free the key for a retry. Sent:
            # the shielded settlement records the outcome under the key itself (or leaves it
            # "in progress" for reconciliation).
            if not attempt.sent:
                await asyncio.shield(idempotency.forget(user, key))
            raise
        if not attempt.remembered:
            await self._remember(prepared, outcome, attempt)
        return outcome

    async def _remember(
        self, prepared: PreparedOperation, outcome: StoredOutcome, attempt: _Attempt
    ) -> None:
        """Store a definite outcome under the key; free it after a refusal; keep it for unknown."""
        key = prepared.request.idempotency_key
        attempt.remembered = True
        if key is None:
            return
        user = prepared.request.user_id
        if _is_definite(outcome):
            await self._ports.idempotency.finish(user, key, outcome)
        elif not _is_unknown(outcome):
            await self._ports.idempotency.forget(user, key)

    async def _spend(self, prepared: PreparedOperation, attempt: _Attempt) -> StoredOutcome:
        operation = self._new_operation(prepared)
        await self._ports.operations.save(operation)
        # Leased before anything is reserved: if this process dies, the sweeper finds it.
        await self._hold_lease(operation.id)
        renewal = asyncio.create_task(self._keep_leased(operation.id))
        try:
            return await self._reserve_and_run(prepared, operation, attempt)
        finally:
            renewal.cancel()

    async def _hold_lease(self, operation_id: str) -> None:
        until = self._ports.clock.now() + self._lease.ttl
        await self._ports.leases.hold(operation_id, self._lease.holder, until)

    async def _keep_leased(self, operation_id: str) -> None:
        while True:
            await asyncio.sleep(self._lease.renew_every)
            await self._hold_lease(operation_id)

    async def _reserve_and_run(
        self, prepared: PreparedOperation, operation: ImageOperation, attempt: _Attempt
    ) -> StoredOutcome:
        ports = self._ports
        provider = ports.providers.get(prepared.model.provider)
        assert provider is not None, "choose_model only picks configured providers"
        assert operation.reservation_id is not None
        plan = await ports.quota.plan_of(operation.user_id)  # an unknown user: reserve refuses
        full = None
        if isinstance(plan, Success):
            full = await storage_refusal(plan.unwrap(), ports.assets.library, operation.user_id)
        if full is not None:
            await self._advance(operation, S.FAILED, error=full.message)
            return Failure(full)
        reserved = await ports.quota.reserve(
            operation.reservation_id,
            ReservationRequest(
                user_id=operation.user_id,
                category=operation.kind.category,
                outputs=prepared.request.outputs,
                amount=prepared.price,
                provider=operation.provider,
                at=operation.created_at,
            ),
        )
        if isinstance(reserved, Failure):
            refusal = reserved.failure()
            await self._advance(operation, S.FAILED, error=refusal.message)
            return Failure(refusal)
        reservation = reserved.unwrap()
        operation = await self._advance(operation, S.RESERVED)
        run = _Run(operation=operation, period=reservation.period, started=ports.clock.now())
        tracker = SubmissionTracker(
            lambda: self._mark_submitted(run, attempt),
            lambda task_id: self._note_task(run, task_id),
        )
        try:
            outcomes = await gather_outcomes(provider, prepared, tracker)
        except BaseException:
            # CancelledError is not an Exception: settle in a shielded task so the reservation
            # is released (or kept for reconciliation) even while the caller is cancelled.
            await asyncio.shield(self._settle_interrupted(run, prepared, tracker))
            raise
        # The provider has answered and may have billed: finish settling even if the caller is
        # cancelled meanwhile, or the outputs would be paid for and never recorded.
        return await asyncio.shield(
            self._settle_and_remember(run, prepared, outcomes, tracker, attempt)
        )

    async def settle_reconciled(
        self,
        operation: ImageOperation,
        prepared: PreparedOperation,
        period: str,
        outcomes: CallOutcomes,
    ) -> StoredOutcome:
        """Settle an `unknown` operation with what reconciliation learnt from the provider.

        The same settlement as a live run: outputs stored and charged (never past what was
        held), failures released, filtered or unresolved outputs recorded as provider cost
        only; the idempotency key, left "in progress", gets the definite outcome.
        """
        run = _Run(operation=operation, period=period, started=operation.created_at, sent=True)
        tracker = SubmissionTracker(_nothing_to_mark)
        tracker.sent = True
        tracker.task_ids.extend(operation.provider_task_ids)
        return await asyncio.shield(
            self._settle_and_remember(run, prepared, outcomes, tracker, _Attempt(sent=True))
        )

    async def _settle_and_remember(
        self,
        run: _Run,
        prepared: PreparedOperation,
        outcomes: CallOutcomes,
        tracker: SubmissionTracker,
        attempt: _Attempt,
    ) -> StoredOutcome:
        outcome = await self._settle(run, prepared, outcomes, tracker)
        if not (attempt.may_fall_back and _worth_another_provider(outcome)):
            await self._remember(prepared, outcome, attempt)
        return outcome

    def _new_operation(self, prepared: PreparedOperation) -> ImageOperation:
        now = self._ports.clock.now()
        request = prepared.request
        return ImageOperation(
            id=request.operation_id or self._ports.ids.new_id("op"),
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
            # Named before reserving, so a crash right after the reservation leaves its id here.
            reservation_id=self._ports.ids.new_id("res"),
            output_size=(prepared.width, prepared.height),
        )

    async def _advance(
        self, operation: ImageOperation, to: OperationStatus, **changes: object
    ) -> ImageOperation:
        stored = await self._ports.operations.get(operation.id)
        if stored is not None and stored.status is not operation.status:
            raise SweptMeanwhile(operation.id, stored.status)
        advanced = operation.advance(to, self._ports.clock.now(), **changes).unwrap()
        await self._ports.operations.save(advanced)
        return advanced

    async def _mark_submitted(self, run: _Run, attempt: _Attempt) -> None:
        run.operation = await self._advance(run.operation, S.SUBMITTED)
        run.sent = attempt.sent = True

    async def _note_task(self, run: _Run, task_id: str) -> None:
        """Keep a task id the provider named on the stored operation, as soon as it is named."""
        known = run.operation.provider_task_ids
        if task_id in known:
            return
        stored = await self._ports.operations.get(run.operation.id)
        if stored is not None and stored.status is not run.operation.status:
            raise SweptMeanwhile(run.operation.id, stored.status)
        run.operation = replace(
            run.operation, provider_task_ids=(*known, task_id), updated_at=self._ports.clock.now()
        )
        await self._ports.operations.save(run.operation)

    async def _swept_meanwhile(self, run: _Run) -> bool:
        """Whether a sweeper settled the operation while this process was stalled past its lease.

        Then the sweeper's verdict stands: settling again would release or charge twice.
        """
        stored = await self._ports.operations.get(run.operation.id)
        if stored is None or stored.status is run.operation.status:
            return False
        log.error(
            "operation %s was settled as %s by a sweeper while this process stalled; its result "
            "is dropped",
            run.operation.id,
            stored.status,
        )
        return True

    async def _settle_interrupted(
        self, run: _Run, prepared: PreparedOperation, tracker: SubmissionTracker
    ) -> None:
        if await self._swept_meanwhile(run):
            return
        if run.sent:
            await self._leave_unknown(run, tracker, "cancelled after the request was sent")
            return
        await self._ports.quota.release(run.reservation_id)
        await self._record(run, prepared, Outcome.CANCELLED, reason="cancelled before sending")
        run.operation = await self._advance(
            run.operation, S.CANCELLED, error="cancelled before sending"
        )

    async def _leave_unknown(self, run: _Run, tracker: SubmissionTracker, reason: str) -> None:
        run.operation = await self._advance(
            run.operation, S.UNKNOWN, provider_task_ids=tuple(tracker.task_ids), error=reason
        )
        log.warning("operation %s left unknown for reconciliation: %s", run.operation.id, reason)

    async def _settle(
        self,
        run: _Run,
        prepared: PreparedOperation,
        outcomes: CallOutcomes,
        tracker: SubmissionTracker,
    ) -> StoredOutcome:
        if await self._swept_meanwhile(run):
            return Failure(
                OutcomeUnknown(
                    operation_id=run.operation.id,
                    provider=run.operation.provider,
                    provider_task_id=next(iter(tracker.task_ids), None),
                )
            )
        if run.operation.status is S.RESERVED and outcomes.reached_provider:
            # An adapter that answered without reporting `sending()` still sent the request.
            run.operation = await self._advance(run.operation, S.SUBMITTED)
        if outcomes.unknown and outcomes.artifacts and not outcomes.traceable_unknown:
            # Some outputs arrived; the calls left unknown named no task, so no lookup can ever
            # tell more: deliver (and charge) what arrived now, rather than hold it back, and
            # keep the rest's price as a possible provider cost, as reconciliation would.
            outcomes = outcomes.unknown_given_up(run.operation.provider)
        if outcomes.unknown:
            await self._leave_unknown(run, tracker, outcomes.unknown[0].detail)
            return Failure(
                OutcomeUnknown(
                    operation_id=run.operation.id,
                    provider=run.operation.provider,
                    provider_task_id=next(iter(tracker.task_ids), None),
                )
            )
        pricing = prepared.model.pricing
        filtered = outcomes.filtered_outputs
        # The provider billed the filtered outputs: their cost is ours, never the user's.
        filtered_cost = pricing.price(
            replace(
                prepared.reserve_units,
                outputs=filtered,
                pixels=prepared.width * prepared.height * filtered,
            )
        )
        # Calls reconciliation gave up on may have been billed: a possible cost, ours.
        filtered_cost += pricing.price(
            replace(
                prepared.reserve_units,
                outputs=outcomes.unresolved_outputs,
                pixels=prepared.width * prepared.height * outcomes.unresolved_outputs,
            )
        )
        task_ids = tuple(tracker.task_ids)
        if not outcomes.artifacts:
            return await self._fail(run, prepared, outcomes, filtered_cost, task_ids)
        outcomes = replace(outcomes, artifacts=tuple(map(self._measured, outcomes.artifacts)))
        units = outcomes.billable_units(prepared.reserve_units, prepared.width, prepared.height)
        actual = pricing.price(units)
        # Reserved at the highest possible price; never charge the user past what was held.
        charge = min(actual, prepared.price)
        stored = await self._store(run, prepared, outcomes.artifacts, charge)
        if isinstance(stored, Failure):
            return await self._lose(
                run, prepared, stored.failure(), actual + filtered_cost, task_ids
            )
        assets = stored.unwrap()
        await self._ports.quota.commit(
            run.reservation_id,
            Settlement(
                outputs=len(assets),
                amount=charge,
                provider_cost=_within(actual + filtered_cost, prepared.price),
            ),
        )
        await self._record(
            run,
            prepared,
            Outcome.SUCCEEDED,
            outputs=len(assets),
            charge=charge,
            cost=actual + filtered_cost,
            output_bytes=sum(asset.size_bytes for asset in assets),
            reason="; ".join(outcomes.failed_reasons),
        )
        run.operation = await self._advance(
            run.operation,
            S.SUCCEEDED,
            asset_ids=tuple(asset.id for asset in assets),
            charged=charge,
            provider_task_ids=task_ids,
        )
        return Success(
            OperationResult(
                operation=run.operation,
                assets=assets,
                charged=charge,
                failed_outputs=outcomes.failed_reasons,
            )
        )

    async def _fail(
        self,
        run: _Run,
        prepared: PreparedOperation,
        outcomes: CallOutcomes,
        provider_cost: Micros,
        task_ids: tuple[str, ...],
    ) -> StoredOutcome:
        await self._charge_provider_only(run, prepared, provider_cost)
        error = outcomes.first_error()
        outcome = Outcome.FILTERED if outcomes.filtered_outputs else Outcome.FAILED
        status = S.FAILED
        if error is outcomes.unresolved_error:
            outcome, status = Outcome.UNKNOWN_UNRESOLVED, S.ABANDONED
        await self._record(run, prepared, outcome, cost=provider_cost, reason=error.message)
        run.operation = await self._advance(
            run.operation, status, error=error.message, provider_task_ids=task_ids
        )
        return Failure(error)

    async def _lose(
        self,
        run: _Run,
        prepared: PreparedOperation,
        lost: OutputLost,
        provider_cost: Micros,
        task_ids: tuple[str, ...],
    ) -> StoredOutcome:
        await self._charge_provider_only(run, prepared, provider_cost)
        await self._record(
            run, prepared, Outcome.OUTPUT_LOST, cost=provider_cost, reason=lost.detail
        )
        run.operation = await self._advance(
            run.operation, S.FAILED, error=lost.message, provider_task_ids=task_ids
        )
        log.error("operation %s: the provider's output was lost: %s", run.operation.id, lost.detail)
        return Failure(lost)

    def _measured(self, artifact: Artifact) -> Artifact:
        """An image output with its real size: price and asset never rely on a missing one."""
        if not artifact.media_type.is_image or (artifact.width and artifact.height):
            return artifact
        info = self._ports.inspector.inspect(artifact.data, "output", MEASURE_MAX_PIXELS)
        if isinstance(info, Failure):
            return artifact  # priced as asked: the best remaining guess
        found = info.unwrap()
        return replace(artifact, width=found.width, height=found.height)

    async def _charge_provider_only(
        self, run: _Run, prepared: PreparedOperation, provider_cost: Micros
    ) -> None:
        """The user pays nothing; what the provider billed still counts against the operator's
        budget (so filtered prompts cannot run up a provider bill that no limit sees)."""
        if provider_cost == 0:
            await self._ports.quota.release(run.reservation_id)
            return
        await self._ports.quota.commit(
            run.reservation_id,
            Settlement(outputs=0, amount=0, provider_cost=_within(provider_cost, prepared.price)),
        )

    async def _store(
        self,
        run: _Run,
        prepared: PreparedOperation,
        artifacts: tuple[Artifact, ...],
        charge: Micros,
    ) -> Result[tuple[Asset, ...], OutputLost]:
        ports = self._ports
        saved: list[Asset] = []
        for artifact, share in zip(artifacts, _split(charge, len(artifacts)), strict=True):
            asset = Asset(
                id=ports.ids.new_id("ast"),
                owner=run.operation.user_id,
                operation_id=run.operation.id,
                model_id=prepared.model.id,
                kind=run.operation.kind,
                media_type=artifact.media_type,
                size_bytes=len(artifact.data),
                created_at=ports.clock.now(),
                width=artifact.width,
                height=artifact.height,
                duration_seconds=artifact.duration_seconds,
                prompt=prepared.request.prompt,
                cost=share,
                vertex_count=(
                    glb_vertex_count(artifact.data)
                    if artifact.media_type is MediaType.GLB
                    else None
                ),
                derived_from=prepared.input_asset_ids,
            )
            try:
                await _with_retries(ports.assets.save, asset, artifact.data)
            except Exception as error:
                await self._remove(saved)
                return Failure(OutputLost(detail=f"{type(error).__name__}: {error}"))
            saved.append(asset)
        return Success(tuple(saved))

    async def _remove(self, assets: list[Asset]) -> None:
        """No orphans: what this operation already stored goes too, as far as storage lets us."""
        for asset in assets:
            try:
                await self._ports.assets.delete(asset.owner, asset.id)
            except Exception:
                # Storage is failing (that is why we are here): log the orphan by id, go on.
                log.exception("could not remove asset %s of a lost output", asset.id)

    async def _record(
        self,
        run: _Run,
        prepared: PreparedOperation,
        outcome: Outcome,
        *,
        outputs: int = 0,
        charge: Micros = 0,
        cost: Micros = 0,
        output_bytes: int = 0,
        reason: str = "",
    ) -> None:
        finished = self._ports.clock.now()
        operation = run.operation
        await self._ports.ledger.append(
            UsageRecord(
                user_id=operation.user_id,
                operation_id=operation.id,
                model_id=operation.model_id,
                provider=operation.provider,
                kind=operation.kind,
                outputs=outputs,
                user_charge=charge,
                provider_cost=cost,
                outcome=outcome,
                output_bytes=output_bytes,
                latency_ms=max(0, int((finished - run.started).total_seconds() * 1000)),
                billing_period=run.period,
                started_at=run.started,
                finished_at=finished,
                idempotency_key=prepared.request.idempotency_key,
                reason=reason,
            )
        )


class SweptMeanwhile(Exception):
    """A sweeper settled the operation while its process stalled: its verdict stands."""

    def __init__(self, operation_id: str, status: OperationStatus) -> None:
        super().__init__(f"operation {operation_id} was already settled as {status}")


@dataclass(slots=True)
class _Attempt:
    """Whether this attempt's request left the process, and whether its key was settled."""

    sent: bool = False
    remembered: bool = False
    may_fall_back: bool = False
    """Another provider may still be tried: a retryable failure is not the key's outcome yet."""


async def _nothing_to_mark() -> None:
    """A reconciled operation was marked submitted long ago."""


def _worth_another_provider(outcome: StoredOutcome) -> bool:
    """Only the provider's own trouble (rate limit, outage) is worth another provider."""
    if isinstance(outcome, Success):
        return False
    error = outcome.failure()
    return isinstance(error, ProviderFailed) and error.kind.may_try_elsewhere


def _other_provider(models: list[Model], tried: set[str]) -> bool:
    return any(model.provider not in tried for model in models)


def _is_definite(outcome: StoredOutcome) -> bool:
    """A success, or a failure the provider was involved in: what a retry must replay."""
    if isinstance(outcome, Success):
        return True
    return isinstance(outcome.failure(), (ProviderFailed, OutputFiltered, OutputLost))


def _is_unknown(outcome: StoredOutcome) -> bool:
    return isinstance(outcome, Failure) and isinstance(outcome.failure(), OutcomeUnknown)


def _within(cost: Micros, reserved: Micros) -> Micros:
    # A provider that bills past the reservation (an output larger than asked) is recorded in
    # full in the ledger; the budget counter takes what was held, keeping used + held <= limit.
    if cost > reserved:
        log.warning("provider billed %d micro-dollars against a reservation of %d", cost, reserved)
    return min(cost, reserved)


def _split(total: Micros, parts: int) -> list[Micros]:
    share, remainder = divmod(total, parts)
    return [share + (1 if index < remainder else 0) for index in range(parts)]


async def _with_retries(
    save: Callable[[Asset, bytes], Awaitable[None]], asset: Asset, data: bytes
) -> None:
    for attempt in range(1, STORE_ATTEMPTS + 1):
        try:
            await save(asset, data)
            return
        except Exception:
            if attempt == STORE_ATTEMPTS:
                raise
            log.warning("storing an asset failed (attempt %d); retrying", attempt, exc_info=True)
