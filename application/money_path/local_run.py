"""The shared path of every local operation (compress, convert, social): done here, recorded
like any operation, never charged — accept (a call counted against the plan at $0, so its rate
and concurrency limits hold before any image work), the work (on the image workers: off the
event loop, bounded, timed), store the output's bytes, settle (a zero-cost ledger line, the asset
with its lineage) in one transaction."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import replace
from datetime import datetime

from returns.result import Failure, Result, Success

from imagestudio.application.money_path.accept import Accepted, accept
from imagestudio.application.money_path.local_closings import (
    LOCAL_PROVIDER,
    done,
    interrupted,
    local_operation,
    lost,
    output_asset,
    refused,
)
from imagestudio.application.money_path.settle import Settle
from imagestudio.application.operation_ports import LeasePolicy, OperationPorts
from imagestudio.application.ports.idempotency import Replay
from imagestudio.application.ports.image_processor import ImageProcessor, ProcessedImage
from imagestudio.application.ports.image_workers import ImageWork, ImageWorkers
from imagestudio.application.ports.unit_of_work import Lease, StaleOperation, StoreUnavailable
from imagestudio.application.request_shape import image_problem, user_problem
from imagestudio.application.requests import ImageInput, OperationResult
from imagestudio.application.storage_quota import storage_refusal
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import (
    AssetNotFound,
    InputProblem,
    InvalidInput,
    OperationError,
    OutputLost,
    UnknownUser,
)
from imagestudio.domain.operation import ImageOperation, OperationStatus, ParameterValue
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.quota import ReservationRequest

log = logging.getLogger(__name__)
S = OperationStatus
MAX_INPUT_BYTES = 100 * 1024 * 1024


class RunLocalOperation:
    """The shared path of every local operation: input, storage room, call, work, record.

    The call is accepted before the work, so a user's rate and concurrency limits bound their
    image work; work that refuses the input releases the call and writes no ledger line, so a
    bad input costs nothing (its operation is kept, failed, naming why).
    """

    def __init__(
        self,
        ports: OperationPorts,
        processor: ImageProcessor,
        lease: LeasePolicy | None = None,
        settle: Settle | None = None,
        workers: ImageWorkers | None = None,
    ) -> None:
        self._ports = ports
        self.processor = processor
        self._workers = workers or _InPlace()
        self._lease = lease or LeasePolicy(holder=ports.ids.new_id("local"))
        self._settle = settle or Settle(ports.unit_of_work)

    async def run(
        self,
        user_id: str,
        kind: OperationKind,
        image: ImageInput,
        work: ImageWork,
        parameters: dict[str, ParameterValue],
    ) -> Result[OperationResult, OperationError]:
        """Run `work` on `image` (bytes or one of the user's asset ids) as a `kind` operation."""
        assert kind.is_local
        problem = image_problem("image", image) or (
            user_problem(user_id) if isinstance(user_id, str) else None
        )
        if problem is not None:
            return Failure(problem)
        ports = self._ports
        source: Asset | None = None
        data = image.data
        if image.asset_id is not None:
            loaded = await ports.assets.load(user_id, image.asset_id)
            if loaded is None:
                return Failure(AssetNotFound(image.asset_id))
            source, data = loaded
        assert data is not None
        if len(data) > MAX_INPUT_BYTES:
            return Failure(
                InvalidInput(
                    "image", f"{len(data)} bytes; at most {MAX_INPUT_BYTES}", InputProblem.TOO_LARGE
                )
            )
        plan = await ports.quota.plan_of(user_id)
        if isinstance(plan, Failure):
            return Failure(UnknownUser(user_id))
        full = await storage_refusal(plan.unwrap(), ports.assets.library, user_id)
        if full is not None:
            return Failure(full)
        return await self._record(user_id, kind, source, (work, data), parameters)

    async def _record(
        self,
        user_id: str,
        kind: OperationKind,
        source: Asset | None,
        job: tuple[ImageWork, bytes],
        parameters: dict[str, ParameterValue],
    ) -> Result[OperationResult, OperationError]:
        ports = self._ports
        now = ports.clock.now()
        ids = (ports.ids.new_id("op"), ports.ids.new_id("res"))
        operation = local_operation(ids, user_id, kind, source, parameters, now)
        # One call at $0, so the plan's rate and concurrency apply; leased in the same
        # transaction, so if this process dies the sweeper releases it.
        accepted = await accept(
            ports.unit_of_work,
            operation,
            ReservationRequest(
                user_id=user_id,
                category=kind.category,
                outputs=1,
                amount=0,
                provider=LOCAL_PROVIDER,
                at=now,
                needs_storage=True,
            ),
            Lease(self._lease.holder, now + self._lease.ttl),
        )
        if isinstance(accepted, Failure):
            return Failure(accepted.failure())
        assert not isinstance(accepted, Replay), "local operations take no idempotency key"
        taken = accepted.unwrap()
        try:
            return await self._work(taken, source, job, now)
        except BaseException as error:
            # Cancelled (CancelledError is no Exception) or the workers broke: release the call
            # now, shielded from the cancellation, rather than hold the user's concurrency until
            # the lease runs out and a sweeper comes (a host may run none).
            await asyncio.shield(self._interrupted(taken.operation, error))
            raise

    async def _interrupted(self, operation: ImageOperation, error: BaseException) -> None:
        # Stale: the operation was settled after all (cancelled once its commit was made) or
        # swept; unavailable: nothing was written, and the sweep ends it after its lease.
        with contextlib.suppress(StaleOperation, StoreUnavailable):
            await self._settle.close(interrupted(operation, self._ports.clock.now(), error))

    async def _work(
        self, taken: Accepted, source: Asset | None, job: tuple[ImageWork, bytes], now: datetime
    ) -> Result[OperationResult, OperationError]:
        ports = self._ports
        user_id = taken.operation.user_id
        processed = await self._workers.run(*job)
        if isinstance(processed, Failure):
            await self._settle.close(
                refused(taken.operation, ports.clock.now(), processed.failure().message)
            )
            return Failure(processed.failure())
        output = processed.unwrap()
        operation = replace(taken.operation, output_size=(output.width, output.height))
        asset = output_asset(operation, output, source, ports.clock.now())
        try:
            await ports.assets.content.put(user_id, asset.id, asset.media_type, output.data)
        except Exception as error:
            gone = OutputLost(detail=f"{type(error).__name__}: {error}")
            log.error("local operation %s: storing its output failed: %s", operation.id, error)
            at = ports.clock.now()
            await self._settle.close(lost(operation, taken.reservation, now, at, gone))
            return Failure(gone)
        closing = done(operation, asset, taken.reservation, now, ports.clock.now())
        await self._settle.close(closing)
        return Success(OperationResult(operation=closing.operation, assets=(asset,), charged=0))


class _InPlace:
    """Image work in the default threads, unbounded: for a `RunLocalOperation` built without
    workers (the container always gives it some)."""

    async def run(self, work: ImageWork, data: bytes) -> Result[ProcessedImage, InvalidInput]:
        return await asyncio.to_thread(work, data)
