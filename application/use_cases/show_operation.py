"""Show operation: one of the caller's operations, with what it holds and what it waits for."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from returns.result import Failure, Result, Success

from imagestudio.application.operation_views import OperationView, OperationViews
from imagestudio.application.operation_waits import ReconcileTiming
from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.operation_store import OperationStore
from imagestudio.application.ports.quota_store import QuotaStore
from imagestudio.domain.errors import OperationNotFound
from imagestudio.domain.operation import OperationStatus

FOLLOW_UP_GRACE = timedelta(minutes=1)
"""A follow-up is accepted moments after its predecessor settles; one still missing this long
after never will be (its process died in between), and the predecessor's failure stands."""
MOST_FOLLOW_UPS = 16


class ShowOperation:
    """Describes one of the caller's operations; another user's does not exist for them."""

    def __init__(
        self,
        operations: OperationStore,
        quota: QuotaStore,
        clock: Clock,
        timing: ReconcileTiming | None = None,
    ) -> None:
        """`timing`: the reconciler's (`Reconcile.timing`), so a wait shown is the one it keeps."""
        self._operations = operations
        self._clock = clock
        self._views = OperationViews(quota, clock, timing or ReconcileTiming())

    async def execute(
        self, user_id: str, operation_id: str
    ) -> Result[OperationView, OperationNotFound]:
        """The operation as it stands now: status, charge, what its reservation still holds,
        what it waits for and until when."""
        if not operation_id.isprintable():  # no id has one; PostgreSQL cannot compare a NUL
            return Failure(OperationNotFound(operation_id))
        tracked = await self._operations.describe(operation_id)
        if tracked is None or tracked.operation.user_id != user_id:
            return Failure(OperationNotFound(operation_id))
        # A request that `auto` moved to another provider is told by its last operation, so
        # every process answers the same, whichever ran it.
        for _ in range(MOST_FOLLOW_UPS):
            follow_up = tracked.operation.continued_by
            if follow_up is None:
                break
            found = await self._operations.describe(follow_up)
            if found is None or found.operation.user_id != user_id:
                if self._clock.now() - tracked.operation.updated_at < FOLLOW_UP_GRACE:
                    # Settled, and the next provider's operation not accepted yet: the
                    # request itself has not ended.
                    moving = replace(tracked.operation, status=OperationStatus.REQUESTED)
                    return Success(await self._views.of(replace(tracked, operation=moving)))
                break
            tracked = found
        return Success(await self._views.of(tracked))
