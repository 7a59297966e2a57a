"""List waiting: every user's operations not yet final — those whose outcome is unknown and
wait on the reconciler among them — each with what it holds and what it waits for."""

from __future__ import annotations

from imagestudio.application.operation_views import OperationView, OperationViews
from imagestudio.application.operation_waits import ReconcileTiming
from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.operation_store import OperationStore
from imagestudio.application.ports.quota_store import QuotaStore
from imagestudio.domain.operation_query import UNFINISHED, OperationQuery

DEFAULT_LIMIT = 100


class ListWaiting:
    """The operator's view of what is still open, across users (read only: nothing is settled
    or leased; `Reconcile` does that)."""

    def __init__(
        self,
        operations: OperationStore,
        quota: QuotaStore,
        clock: Clock,
        timing: ReconcileTiming | None = None,
    ) -> None:
        """`timing`: the reconciler's, so a wait shown is the one it keeps."""
        self._operations = operations
        self._views = OperationViews(quota, clock, timing or ReconcileTiming())

    async def execute(self, limit: int = DEFAULT_LIMIT) -> tuple[OperationView, ...]:
        """Up to `limit` unfinished operations of every user, newest first."""
        found = await self._operations.find(
            None, OperationQuery(statuses=UNFINISHED), after=None, limit=max(1, limit)
        )
        return tuple([await self._views.of(tracked) for tracked in found])
