"""What a local operation writes, built from what happened: the operation it runs as, the asset
its output becomes, and the settlement of each way it can end (refused input, output lost,
done). Pure: `local_run.py` does the work and the writes."""

from __future__ import annotations

import asyncio
from datetime import datetime

from imagestudio.application.money_path.ledger_line import line_for
from imagestudio.application.money_path.outputs import asset_row
from imagestudio.application.money_path.settle import Closing
from imagestudio.application.money_path.verdict import Money
from imagestudio.application.ports.image_processor import ProcessedImage
from imagestudio.application.threshold_alerts import alert_limits, moves_finite_use
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import OutputLost
from imagestudio.domain.operation import ImageOperation, OperationStatus, ParameterValue
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.quota import Settlement
from imagestudio.domain.reservation import Reservation
from imagestudio.domain.usage_record import Outcome

S = OperationStatus
LOCAL_PROVIDER = "local"


def local_operation(
    ids: tuple[str, str],
    user_id: str,
    kind: OperationKind,
    source: Asset | None,
    parameters: dict[str, ParameterValue],
    now: datetime,
) -> ImageOperation:
    """The operation a local `kind` on `source` runs as; `ids`: its own and its reservation's."""
    operation_id, reservation_id = ids
    return ImageOperation(
        id=operation_id,
        user_id=user_id,
        kind=kind,
        model_id=f"{LOCAL_PROVIDER}/{kind.value}",
        provider=LOCAL_PROVIDER,
        prompt=source.prompt if source else "",
        input_digests=(),
        input_asset_ids=(source.id,) if source else (),
        parameters=parameters,
        outputs_requested=1,
        created_at=now,
        updated_at=now,
        reservation_id=reservation_id,
    )


def output_asset(
    operation: ImageOperation, output: ProcessedImage, source: Asset | None, at: datetime
) -> Asset:
    """The asset the work's output becomes, with its lineage (and the source's tags)."""
    size = (output.width, output.height)
    tags = source.tags if source else frozenset()
    return asset_row(operation, 0, output.media_type, output.data, size, at, tags=tags)


def refused(operation: ImageOperation, at: datetime, why: str) -> Closing:
    """The work refused the input: released, no ledger line, the operation failed naming why."""
    failed = advanced(operation, S.FAILED, at, error=why)
    return Closing(expected=S.RESERVED, operation=failed, money=Money.RELEASE)


def interrupted(operation: ImageOperation, at: datetime, error: BaseException) -> Closing:
    """The work was cancelled, or its workers raised: released, no ledger line (nothing was
    done, and a local operation costs nothing), the operation cancelled or failed saying so."""
    if isinstance(error, asyncio.CancelledError):
        ended = advanced(operation, S.CANCELLED, at, error="cancelled before it finished")
    else:
        ended = advanced(operation, S.FAILED, at, error=f"{type(error).__name__}: {error}")
    return Closing(expected=S.RESERVED, operation=ended, money=Money.RELEASE)


def lost(
    operation: ImageOperation,
    reservation: Reservation,
    started: datetime,
    at: datetime,
    error: OutputLost,
) -> Closing:
    """The output could not be stored: released, with a ledger line saying so."""
    failed = advanced(operation, S.FAILED, at, error=error.message)
    line = line_for(
        failed,
        Outcome.OUTPUT_LOST,
        period=reservation.period,
        started=started,
        finished=failed.updated_at,
        reason=error.detail,
    )
    return Closing(expected=S.RESERVED, operation=failed, money=Money.RELEASE, line=line)


def done(
    operation: ImageOperation,
    asset: Asset,
    reservation: Reservation,
    started: datetime,
    finished: datetime,
) -> Closing:
    """Done: the call committed at $0, a zero-cost ledger line, the asset."""
    # Never stored as `submitted`: nothing was sent anywhere, so nothing could be unknown.
    moved = advanced(operation, S.SUBMITTED, finished)
    moved = advanced(moved, S.SUCCEEDED, finished, asset_ids=(asset.id,), charged=0)
    settlement = Settlement(outputs=1, amount=0, provider_cost=0)
    line = line_for(
        moved,
        Outcome.SUCCEEDED,
        period=reservation.period,
        started=started,
        finished=finished,
        outputs=1,
        output_bytes=asset.size_bytes,
    )
    return Closing(
        expected=S.RESERVED,
        operation=moved,
        money=Money.COMMIT,
        settlement=settlement,
        line=line,
        assets=(asset,),
        limits=alert_limits(reservation) if moves_finite_use(reservation, settlement) else {},
    )


def advanced(
    operation: ImageOperation, to: OperationStatus, at: datetime, **changes: object
) -> ImageOperation:
    moved: ImageOperation = operation.advance(to, at, **changes).unwrap()
    return moved
