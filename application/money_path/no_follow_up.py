"""No follow-up: a failure that named the next provider's operation (`continued_by`) ends the
request after all, because that operation never came.

Two roads lead here: the live run, when no further provider could take the request, and the
sweep, when the process died between settling the failure and accepting the follow-up. Both end
it the same way, in one transaction: the key settled (only while it still belongs to this
operation: a late hand-over to the follow-up wins), `continued_by` cleared (only if nobody wrote
the operation since it was read: of two sweepers, one does it), and the final webhook the
failure owed all along written.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from imagestudio.application.money_path.settle import FinishKey, ForgetKey
from imagestudio.application.money_path.webhook_outbox import write_owed
from imagestudio.application.ports.unit_of_work import UnitOfWork
from imagestudio.domain.operation import ImageOperation


async def end_without_follow_up(
    unit_of_work: UnitOfWork,
    operation: ImageOperation,
    key: FinishKey | ForgetKey,
    now: datetime,
) -> None:
    """End the request at `operation` (as stored, final) in one unit: the key finished or
    freed, `continued_by` cleared, the owed final webhook written. `StaleOperation` (nothing
    written) if the operation was written since it was read."""
    async with unit_of_work.begin() as unit:
        held = operation.idempotency_key
        if held is not None and isinstance(key, FinishKey):
            await unit.idempotency.finish(
                operation.user_id, held, key.outcome, operation_id=operation.id
            )
        elif held is not None:
            await unit.idempotency.forget(operation.user_id, held, operation_id=operation.id)
        if operation.continued_by is not None:
            ended = replace(operation, continued_by=None, updated_at=max(now, operation.updated_at))
            await unit.operations.advance(
                operation.status, ended, last_updated=operation.updated_at
            )
            await write_owed(unit, ended)  # the request ends here after all
        await unit.commit()
