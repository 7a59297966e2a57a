"""Operations running as tasks of the server process, so a request can answer 202 and go.

The state that matters lives in the operations table; this keeps only what one process needs to
wait for, cancel, and drain its own operations on shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable

from returns.result import Failure, Success

from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.ports.operation_store import OperationStore
from imagestudio.application.requests import OperationRequest
from imagestudio.application.use_cases.run_operation import RunOperation
from imagestudio.domain.errors import (
    OperationError,
    OperatorBudgetExhausted,
    QuotaExceeded,
    RateLimited,
    StorageQuotaExceeded,
)
from imagestudio.domain.operation import ImageOperation
from imagestudio.domain.operation_kind import OperationKind

log = logging.getLogger(__name__)

KEPT_RESULTS = 1_000
"""Finished outcomes remembered for GET (a fallback's final operation has another id)."""
START_POLL_SECONDS = 0.01
TELL_GRACE_SECONDS = 1.0
"""How long a drain waits for the observer to hear of the last operations."""

OutcomeObserver = Callable[[StoredOutcome | None, ImageOperation], None]
"""Told how each operation this process ran ended: its outcome (None when its task was
cancelled or raised) and the operation (the final one after a fallback). Requests refused before any
operation existed (invalid input, an idempotency replay or conflict, a quota refusal: accepting
rolls back whole) are not operations."""
RefusalObserver = Callable[[OperationKind, OperationError], None]
"""Told of each request this process refused by a quota or rate limit (its kind, the refusal)."""
REFUSALS = (QuotaExceeded, RateLimited, OperatorBudgetExhausted, StorageQuotaExceeded)


class OperationJobs:
    def __init__(
        self,
        run: RunOperation,
        operations: OperationStore,
        observer: OutcomeObserver | None = None,
        refusals: RefusalObserver | None = None,
    ) -> None:
        self._run = run
        self._operations = operations
        self._observer = observer
        self._refusals = refusals
        self._kinds: dict[str, OperationKind] = {}
        self._tasks: dict[str, asyncio.Task[StoredOutcome]] = {}
        self._finished: OrderedDict[str, StoredOutcome] = OrderedDict()
        self._crashed: OrderedDict[str, None] = OrderedDict()
        self._telling: set[asyncio.Task[None]] = set()
        self.accepting = True

    def start(self, request: OperationRequest) -> str:
        """Run the request in the background; its operation id (chosen by the request)."""
        assert request.operation_id is not None
        operation_id = request.operation_id
        task = asyncio.create_task(self._run.execute(request), name=f"operation {operation_id}")
        self._tasks[operation_id] = task
        self._kinds[operation_id] = request.kind
        task.add_done_callback(lambda done: self._remember(operation_id, done))
        return operation_id

    def _remember(self, operation_id: str, task: asyncio.Task[StoredOutcome]) -> None:
        self._tasks.pop(operation_id, None)
        if task.cancelled() or task.exception() is not None:
            if not task.cancelled():
                log.error("operation %s raised", operation_id, exc_info=task.exception())
                self._crashed[operation_id] = None
                while len(self._crashed) > KEPT_RESULTS:
                    self._crashed.popitem(last=False)
            self._observe(operation_id, None)
            return
        self._finished[operation_id] = task.result()
        while len(self._finished) > KEPT_RESULTS:
            self._finished.popitem(last=False)
        self._observe(operation_id, task.result())

    def _observe(self, operation_id: str, outcome: StoredOutcome | None) -> None:
        kind = self._kinds.pop(operation_id, None)
        if isinstance(outcome, Failure) and isinstance(outcome.failure(), REFUSALS):
            if self._refusals is not None and kind is not None:
                self._refusals(kind, outcome.failure())
            return
        if self._observer is None:
            return
        if isinstance(outcome, Success) and outcome.unwrap().operation.id == operation_id:
            self._tell(outcome, outcome.unwrap().operation)
            return
        # A failure, a cancellation, a fallback or a replay: only the store says whether this
        # job ran an operation, and how it was settled.
        lookup = asyncio.get_running_loop().create_task(self._look_up(operation_id, outcome))
        self._telling.add(lookup)
        lookup.add_done_callback(self._telling.discard)

    async def _look_up(self, operation_id: str, outcome: StoredOutcome | None) -> None:
        try:
            stored = await self._operations.get(operation_id)
        except Exception:  # the observer is a bystander: never let it fail anything
            log.warning("could not look up operation %s for its observer", operation_id)
            return
        if stored is None:
            return
        self._tell(outcome, outcome.unwrap().operation if isinstance(outcome, Success) else stored)

    def _tell(self, outcome: StoredOutcome | None, operation: ImageOperation) -> None:
        assert self._observer is not None
        try:
            self._observer(outcome, operation)
        except Exception:
            log.exception("the outcome observer failed on operation %s", operation.id)

    async def wait(self, operation_id: str, seconds: float) -> StoredOutcome | None:
        """The outcome if the operation ends within `seconds` (it keeps running otherwise)."""
        task = self._tasks.get(operation_id)
        if task is None:
            return self._finished.get(operation_id)
        done, _ = await asyncio.wait({task}, timeout=max(0.0, seconds))
        if not done or task.cancelled() or task.exception() is not None:
            return None
        return task.result()

    async def wait_recorded(self, operation_id: str, seconds: float) -> StoredOutcome | None:
        """Wait until the operation is in the table (or already over): a 202 must name a real
        operation, and a request refused before it began is answered with its refusal."""
        loop = asyncio.get_running_loop()
        until = loop.time() + seconds
        while loop.time() < until:
            outcome = self.finished(operation_id)
            if outcome is not None:
                return outcome
            if operation_id not in self._tasks:
                return None
            if await self._operations.get(operation_id) is not None:
                return None
            await asyncio.sleep(START_POLL_SECONDS)
        return None

    def finished(self, operation_id: str) -> StoredOutcome | None:
        task = self._tasks.get(operation_id)
        if task is not None and task.done() and not task.cancelled() and not task.exception():
            return task.result()
        return self._finished.get(operation_id)

    def crashed(self, operation_id: str) -> bool:
        """Whether the operation's run raised (a bug: expected failures are values)."""
        return operation_id in self._crashed

    def running(self, operation_id: str) -> bool:
        return operation_id in self._tasks

    async def cancel(self, operation_id: str) -> bool:
        """Cancel an operation this process runs; True when it was running here."""
        task = self._tasks.get(operation_id)
        if task is None:
            return False
        task.cancel()
        await asyncio.wait({task})
        return True

    async def drain(self, grace_seconds: float) -> None:
        """Stop taking work, let what runs finish within the grace period, cancel the rest
        (released if not sent; left unknown for reconciliation if it was)."""
        self.accepting = False
        tasks = set(self._tasks.values())
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=grace_seconds)
            for task in late:
                task.cancel()
            if late:
                log.warning("cancelled %d operations still running at shutdown", len(late))
                await asyncio.wait(late)
        if self._telling:  # before the store closes under them
            await asyncio.wait(set(self._telling), timeout=TELL_GRACE_SECONDS)
