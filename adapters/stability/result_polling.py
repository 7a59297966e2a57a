"""Waiting for an accepted async task: `GET /v2beta/results/{id}` (provider_contracts.md §2.3).

202 means still running; 200 carries the artifact; 404 means no such result (for a task it
named: expired, perhaps after it completed and was billed, so the task is held for
reconciliation, never called free). A 500 is Stability's `internal_error`, "please try again
later": no verdict on the task, which may have run and been billed. Still a 500 after the
retries, the task is held for reconciliation, whose look-up reads the same reply the same way
(task_lookup.py) and settles it once the result answers, or releases it once it is gone. Polls
are read-only, so they are retried; running out of time leaves the task held for
reconciliation under its id, never re-submitted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import httpx

from imagestudio.adapters.providers.deadline import Deadline, DeadlinePassed
from imagestudio.adapters.providers.limiter import AccountLimiter
from imagestudio.adapters.providers.read_retries import RETRYABLE_STATUSES, get_with_retries
from imagestudio.adapters.stability.errors import error_detail
from imagestudio.adapters.stability.replies import Unreadable, read_artifact
from imagestudio.application.ports.provider import ProviderOutcome, SubmitUnknown
from imagestudio.domain.media import MediaType

logger = logging.getLogger(__name__)

RESULTS_PATH = "v2beta/results"


class ResultPolling:
    def __init__(
        self,
        client: httpx.AsyncClient,
        limiter: AccountLimiter,
        *,
        base_url: str,
        accept: str,
        read_timeout: float,
        poll_interval: float,
    ) -> None:
        self._client = client
        self._limiter = limiter
        self._base_url = base_url.rstrip("/")
        self._accept = accept
        self._read_timeout = read_timeout
        self._poll_interval = poll_interval

    async def fetch(self, task_id: str, deadline: Deadline) -> httpx.Response:
        """One look at the result, retried on 429/5xx/transport errors within `deadline`.

        Raises DeadlinePassed or httpx.TransportError when no answer came in time.
        """
        return await get_with_retries(
            self._client,
            f"{self._base_url}/{RESULTS_PATH}/{task_id}",
            deadline=deadline,
            headers={"accept": self._accept},
            read_timeout=self._read_timeout,
            before_attempt=lambda: self._limiter.admit(deadline),
        )

    async def wait(
        self,
        task_id: str,
        expected: MediaType,
        deadline: Deadline,
        progressed: Callable[[str], None],
    ) -> ProviderOutcome:
        """Poll every interval until the task ends or the deadline passes; each "still
        running" answer is told to `progressed`."""
        while True:
            await asyncio.sleep(min(self._poll_interval, deadline.remaining()))
            try:
                response = await self.fetch(task_id, deadline)
            except DeadlinePassed:
                return _held(task_id, "the deadline passed while waiting for the result")
            except httpx.TransportError as error:
                # The task still runs at Stability whatever our connection does: keep asking.
                logger.warning("stability result %s unreachable: %s", task_id, type(error).__name__)
                continue
            status = response.status_code
            logger.debug("stability result %s: HTTP %s", task_id, status)
            if status == httpx.codes.ACCEPTED:
                progressed("in-progress")
                continue
            if status == httpx.codes.OK:
                answered = read_artifact(response, expected, task_id=task_id)
                if isinstance(answered, Unreadable):  # billed: reconciliation fetches it again
                    return _held(task_id, answered.detail)
                return answered
            if status == httpx.codes.NOT_FOUND:
                # Stability named this task: gone means expired, perhaps after it completed and
                # was billed. Reconciliation settles it (its price kept as a possible cost).
                return _held(task_id, f"result expired or not found ({error_detail(response)})")
            if status == httpx.codes.INTERNAL_SERVER_ERROR:
                # The caller learns now that the outcome is unknown, rather than at the deadline.
                return _held(task_id, f"the result still answers 500 ({error_detail(response)})")
            if status in RETRYABLE_STATUSES:
                continue  # still busy or rate-limited after the retries: not a verdict
            return _held(task_id, f"unexpected reply to a result poll: {error_detail(response)}")


def _held(task_id: str, detail: str) -> SubmitUnknown:
    return SubmitUnknown(task_id=task_id, detail=f"task {task_id}: {detail}")
