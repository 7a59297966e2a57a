"""The shared path of every local operation (compress, convert, social): done here, recorded
like any operation, never charged — accept (a call counted against the plan at $0, so its rate
and concurrency limits hold before any image work), the work (on the image workers: off the
event loop, bounded, timed), store the output's bytes, settle (a zero-cost ledger line, the asset
with its lineage) in one transaction."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime

from returns.result import Failure, Result, Success

from imagestudio.application.money_path.accept import accept
from imagestudio.application.money_path.ledger_line import line_for
from imagestudio.application.money_path.outputs import asset_id_for
from imagestudio.application.money_path.settle import Closing, Settle
from imagestudio.application.money_path.verdict import Money
from imagestudio.application.operation_ports import LeasePolicy, OperationPorts
from imagestudio.application.ports.idempotency import Replay
from imagestudio.application.ports.image_processor import ImageProcessor, ProcessedImage
from imagestudio.application.ports.image_workers import ImageWork, ImageWorkers
from imagestudio.application.ports.unit_of_work import Lease
from imagestudio.application.requests import ImageInput, OperationResult
from imagestudio.application.storage_quota import storage_refusal
from imagestudio.application.threshold_alerts import alert_limits, moves_finite_use
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
from imagestudio.domain.quota import ReservationRequest, Settlement
from imagestudio.domain.usage_record import Outcome

log = logging.getLogger(__name__)
S = OperationStatus
LOCAL_PROVIDER = "local"
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
        model_id = f"{LOCAL_PROVIDER}/{kind.value}"
        operation = ImageOperation(
            id=ports.ids.new_id("op"),
            user_id=user_id,
            kind=kind,
            model_id=model_id,
            provider=LOCAL_PROVIDER,
            prompt=source.prompt if source else "",
            input_digests=(),
            input_asset_ids=(source.id,) if source else (),
            parameters=parameters,
            outputs_requested=1,
            created_at=now,
            updated_at=now,
            reservation_id=ports.ids.new_id("res"),
        )
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
        processed = await self._workers.run(*job)
        if isinstance(processed, Failure):
            refused = processed.failure()
            failed = _advanced(taken.operation, S.FAILED, ports.clock.now(), error=refused.message)
            await self._settle.close(
                Closing(expected=S.RESERVED, operation=failed, money=Money.RELEASE)
            )
            return Failure(refused)
        output = processed.unwrap()
        operation = replace(taken.operation, output_size=(output.width, output.height))
        asset = Asset(
            id=asset_id_for(operation.id, 0),
            owner=user_id,
            operation_id=operation.id,
            model_id=model_id,
            kind=kind,
            media_type=output.media_type,
            size_bytes=len(output.data),
            created_at=ports.clock.now(),
            width=output.width,
            height=output.height,
            prompt=operation.prompt,
            derived_from=operation.input_asset_ids,
            tags=source.tags if source else frozenset(),
        )
        try:
            await ports.assets.content.put(user_id, asset.id, asset.media_type, output.data)
        except Exception as error:
            lost = OutputLost(detail=f"{type(error).__name__}: {error}")
            log.error("local operation %s: storing its output failed: %s", operation.id, error)
            failed = _advanced(operation, S.FAILED, ports.clock.now(), error=lost.message)
            await self._settle.close(
                Closing(
                    expected=S.RESERVED,
                    operation=failed,
                    money=Money.RELEASE,
                    line=line_for(
                        failed,
                        Outcome.OUTPUT_LOST,
                        period=taken.reservation.period,
                        started=now,
                        finished=failed.updated_at,
                        reason=lost.detail,
                    ),
                )
            )
            return Failure(lost)
        # Never stored as `submitted`: nothing was sent anywhere, so nothing could be unknown.
        finished = ports.clock.now()
        done = _advanced(operation, S.SUBMITTED, finished)
        done = _advanced(done, S.SUCCEEDED, finished, asset_ids=(asset.id,), charged=0)
        settlement = Settlement(outputs=1, amount=0, provider_cost=0)
        await self._settle.close(
            Closing(
                expected=S.RESERVED,
                operation=done,
                money=Money.COMMIT,
                settlement=settlement,
                line=line_for(
                    done,
                    Outcome.SUCCEEDED,
                    period=taken.reservation.period,
                    started=now,
                    finished=finished,
                    outputs=1,
                    output_bytes=len(output.data),
                ),
                assets=(asset,),
                limits=alert_limits(taken.reservation)
                if moves_finite_use(taken.reservation, settlement)
                else {},
            )
        )
        return Success(OperationResult(operation=done, assets=(asset,), charged=0))


class _InPlace:
    """Image work in the default threads, unbounded: for a `RunLocalOperation` built without
    workers (the container always gives it some)."""

    async def run(self, work: ImageWork, data: bytes) -> Result[ProcessedImage, InvalidInput]:
        return await asyncio.to_thread(work, data)


def _advanced(
    operation: ImageOperation, to: OperationStatus, at: datetime, **changes: object
) -> ImageOperation:
    advanced: ImageOperation = operation.advance(to, at, **changes).unwrap()
    return advanced
