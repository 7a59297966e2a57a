"""End requests whose follow-up never came: the process died after settling a failure that
named the next provider's operation (`continued_by`) and before that operation was accepted.
Nobody else would ever end them: a key stays "in progress", readers wait on the follow-up for
its grace, and the final webhook the failure owes is never written.

Two lists lead to them, each read oldest first in bounded batches: the operations whose
follow-up nobody has yet seen come (`OperationStore.awaiting_follow_up`: keyed or not), and the
idempotency keys still running (paged through to the end: rows settled before the follow-up
column existed are found only by their key). Only an operation final for longer than the grace
(the longer of the follow-up grace and a lease, so a live but slow process is never overtaken)
whose follow-up does not exist is ended (`no_follow_up.py`); one whose follow-up came is taken
off the first list.

Its key (if any) is freed, not finished with the failure: that is what a retry already met (a
key whose operation is final is taken over, and the request runs anew), nothing was charged,
and the caller never got an answer, since the process that held its connection died.
"""

from __future__ import annotations

from datetime import timedelta

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
        claims: IdempotencyStore[StoredOutcome] | None,
        clock: Clock,
        lease_ttl: timedelta = timedelta(0),
    ) -> None:
        """`claims`: the idempotency keys, to find keyed requests settled before operations
        listed their follow-ups (not looked through without them)."""
        self._unit_of_work = unit_of_work
        self._operations = operations
        self._claims = claims
        self._clock = clock
        self.grace = max(FOLLOW_UP_GRACE, lease_ttl)

    async def execute(self, limit: int = 100) -> tuple[str, ...]:
        """End every such request found, reading each list `limit` at a time, oldest first;
        the ids of the operations they ended at."""
        cutoff = self._clock.now() - self.grace
        ended: list[str] = []
        while True:
            batch = await self._operations.awaiting_follow_up(cutoff, limit)
            moved = 0
            for operation in batch:
                if await self._came(operation):
                    await self._operations.follow_up_seen(operation.id)
                    moved += 1
                else:
                    moved += await self._end(operation, ended)
            if len(batch) < limit or not moved:
                break  # the list is read (what is left is stale: ended by someone else)
        if self._claims is not None:
            after: RunningClaim | None = None
            while claims := await self._claims.running(cutoff, limit, after=after):
                for claim in claims:
                    waiting = await self._claimed(claim)
                    if waiting is not None:
                        await self._end(waiting, ended)
                if len(claims) < limit:
                    break
                after = claims[-1]
        return tuple(ended)

    async def _end(self, operation: ImageOperation, ended: list[str]) -> bool:
        try:
            await end_without_follow_up(
                self._unit_of_work, operation, ForgetKey(), self._clock.now()
            )
        except StaleOperation:
            return False  # handed over late, or another sweeper ended it first: that stands
        ended.append(operation.id)
        return True

    async def _came(self, operation: ImageOperation) -> bool:
        follow_up = operation.continued_by
        return follow_up is None or await self._operations.get(follow_up) is not None

    async def _claimed(self, claim: RunningClaim) -> ImageOperation | None:
        """The claim's operation, if it is final and waits, past the grace, on a follow-up that
        does not exist."""
        if claim.operation_id is None:
            return None
        operation = await self._operations.get(claim.operation_id)
        if (
            operation is None
            or operation.continued_by is None
            or not operation.status.is_final
            or operation.idempotency_key != claim.key
            or operation.user_id != claim.user_id
            or self._clock.now() - operation.updated_at < self.grace
        ):
            return None
        if await self._came(operation):
            return None  # it came: its own run settles the key
        return operation
