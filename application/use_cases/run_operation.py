"""The money path of one request: choose the model, then run attempts until one settles.

Each attempt is one operation of its own (`money_path/attempt.py`): accepted, sent, settled in
at most four transactions. With model `auto`, a rate limit or an outage at the chosen provider
moves the request to the next capable model of another provider — a new operation with its own
reservation, taken only after the first was settled.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import replace

from returns.result import Failure, Result, Success

from imagestudio.application.model_choice import candidates
from imagestudio.application.money_path.accept import KeyUse
from imagestudio.application.money_path.attempt import Attempt, AttemptEnd
from imagestudio.application.money_path.finish import Finish
from imagestudio.application.money_path.keys import worth_another_provider
from imagestudio.application.money_path.no_follow_up import end_without_follow_up
from imagestudio.application.money_path.settle import FinishKey, ForgetKey, Settle
from imagestudio.application.operation_ports import LeasePolicy, OperationPorts, StoredOutcome
from imagestudio.application.ports.unit_of_work import StaleOperation, StoreUnavailable
from imagestudio.application.preparation import prepare, requested_mode
from imagestudio.application.prepared_operation import PreparedOperation
from imagestudio.application.request_shape import shape_problem
from imagestudio.application.requests import OperationRequest, OperationResult
from imagestudio.domain.errors import InvalidInput, OperationError
from imagestudio.domain.model import Model

log = logging.getLogger(__name__)


class RunOperation:
    """Runs any operation kind through the reservation protocol of DESIGN.md.

    An operation that fails costs nothing and releases its reservation; one cancelled before
    its request is sent is released (shielded from the cancellation); one cancelled after it
    was sent, or whose outcome the provider left unknown, keeps its reservation held for
    reconciliation. An idempotency key replays the first definite outcome.
    """

    def __init__(
        self,
        ports: OperationPorts,
        lease: LeasePolicy | None = None,
        settle: Settle | None = None,
    ) -> None:
        self._ports = ports
        self.settle = settle or Settle(ports.unit_of_work)
        self.finish = Finish(ports, self.settle)
        lease = lease or LeasePolicy(holder=ports.ids.new_id("worker"))
        self._attempt = Attempt(ports, self.finish, lease)

    async def execute(self, request: OperationRequest) -> Result[OperationResult, OperationError]:
        """Run `request` once; expected failures come back as typed errors, never exceptions.

        With model `auto`, a rate limit or an outage at the chosen provider moves the request to
        the next capable model of another provider (each attempt its own reserved-and-settled
        operation, so two reservations are never held at once).
        """
        ports = self._ports
        if (problem := shape_problem(request)) is not None:
            return Failure(problem)  # before routing reads the model id and the mode
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
        return await self._with_fallback(prepared, alternatives)

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

    async def _with_fallback(
        self, prepared: PreparedOperation, alternatives: list[Model]
    ) -> StoredOutcome:
        keyed = prepared.request.idempotency_key is not None
        tried = {prepared.model.provider}
        # The next provider's operation id is chosen before this one settles, so a failure that
        # moves on is settled naming where the request went (`continued_by`).
        follow_up = self._follow_up_id(alternatives, tried)
        end = await self._attempt.run(
            prepared,
            KeyUse.CLAIM if keyed else KeyUse.NONE,
            follow_up is not None,
            follow_up,
        )
        before: AttemptEnd | None = None
        for model in alternatives:
            if end.final or not worth_another_provider(end.outcome):
                break
            if model.provider in tried or follow_up is None:
                continue
            retry = await prepare(
                self._ports, replace(prepared.request, operation_id=follow_up), model=model
            )
            if isinstance(retry, Failure):
                continue
            tried.add(model.provider)
            log.warning(
                "%s: %s; falling back to %s", prepared.model.id, end.outcome.failure(), model.id
            )
            prepared = retry.unwrap()
            follow_up = self._follow_up_id(alternatives, tried)
            before = end
            end = await self._attempt.run(
                prepared,
                KeyUse.HAND_OVER if keyed else KeyUse.NONE,
                follow_up is not None,
                follow_up,
            )
        if end.key_kept:
            await self._no_follow_up(end, FinishKey(end.outcome))
        elif end.operation_id is None and before is not None and before.key_kept:
            # The follow-up was refused at its accept (a limit, the store), which keeps nothing:
            # the request ends at the failure before it, its key freed as a refusal leaves it.
            await self._no_follow_up(before, ForgetKey())
        return end.outcome

    def _follow_up_id(self, alternatives: list[Model], tried: set[str]) -> str | None:
        return self._ports.ids.new_id("op") if _other_provider(alternatives, tried) else None

    async def _no_follow_up(self, end: AttemptEnd, key: FinishKey | ForgetKey) -> None:
        """The attempt `end` named a follow-up (and kept the key for it) that did not come: its
        failure is the request's outcome after all."""
        stored = (
            None if end.operation_id is None else await self._ports.operations.get(end.operation_id)
        )
        if stored is None:  # erased with its account meanwhile, keys and all
            return
        # StaleOperation: a sweeper ended it first (this process stalled past the grace), or
        # a retry took the key over as stale meanwhile: what they wrote stands. StoreUnavailable:
        # nothing was kept, and the sweep ends it after the grace.
        with contextlib.suppress(StaleOperation, StoreUnavailable):
            await end_without_follow_up(
                self._ports.unit_of_work, stored, key, self._ports.clock.now()
            )


def _other_provider(models: list[Model], tried: set[str]) -> bool:
    return any(model.provider not in tried for model in models)
