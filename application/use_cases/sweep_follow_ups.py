"""End requests whose follow-up never came: the process died after settling a failure that
named the next provider's operation (`continued_by`, the key kept for it) and before that
operation was accepted. Nobody else would ever end them: the key stays "in progress", readers
wait on the follow-up, and the final webhook is never written.

Only keys claimed longer ago than the grace are read, and only an operation final for longer
than the grace (the longer of the follow-up grace and a lease, so a live but slow process is
never overtaken) whose follow-up does not exist is ended (`no_follow_up.py`).

Its key is freed, not finished with the failure: that is what a retry already met (a key whose
operation is final is taken over, and the request runs anew), nothing was charged, and the
caller never got an answer, since the process that held its connection died.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from imagestudio.application.money_path.no_follow_up import end_without_follow_up
from imagestudio.application.money_path.settle import ForgetKey
from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.idempotency import IdempotencyStore, RunningClaim
from imagestudio.application.ports.operation_store import OperationStore
from imagestudio.application.ports.unit_of_work import StaleOperation, UnitOfWork
from imagestudio.application.use_cases.show_operation import FOLLOW_UP_GRACE
from imagestudio.domain.operation import ImageOperation


class EndMissingFollowUps:
    """Ends the requests whose fallback's next operation never came (see the module)."""

    def __init__(
        self,
        unit_of_work: UnitOfWork,
        operations: OperationStore,
        claims: IdempotencyStore[StoredOutcome],
        clock: Clock,
        lease_ttl: timedelta = timedelta(0),
    ) -> None:
        self._unit_of_work = unit_of_work
        self._operations = operations
        self._claims = claims
        self._clock = clock
        self.grace = max(FOLLOW_UP_GRACE, lease_ttl)

    async def execute(self, limit: int = 100) -> tuple[str, ...]:
        """End up to `limit` such requests; the ids of the operations they ended at."""
        now = self._clock.now()
        ended = []
        for claim in await self._claims.running(now - self.grace, limit):
            operation = await self._without_follow_up(claim, now)
            if operation is None:
                continue
            try:
                await end_without_follow_up(self._unit_of_work, operation, ForgetKey(), now)
            except StaleOperation:
                continue  # handed over late, or another sweeper ended it first: that stands
            ended.append(operation.id)
        return tuple(ended)

    async def _without_follow_up(self, claim: RunningClaim, now: datetime) -> ImageOperation | None:
        """The claim's operation, if it is final and waits, past the grace, on a follow-up that
        does not exist."""
        operations = self._operations
        if claim.operation_id is None:
            return None
        operation = await operations.get(claim.operation_id)
        if (
            operation is None
            or operation.continued_by is None
            or not operation.status.is_final
            or operation.idempotency_key != claim.key
            or operation.user_id != claim.user_id
            or now - operation.updated_at < self.grace
        ):
            return None
        if await operations.get(operation.continued_by) is not None:
            return None  # it came: its own run settles the key
        return operation
