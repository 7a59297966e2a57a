"""Looking a Stability task up for reconciliation: its result, still running, or gone."""

from __future__ import annotations

import logging

import httpx

from imagestudio.adapters.providers.deadline import Deadline, DeadlinePassed
from imagestudio.adapters.stability.balance import described
from imagestudio.adapters.stability.errors import error_detail
from imagestudio.adapters.stability.replies import Unreadable, read_artifact
from imagestudio.adapters.stability.result_polling import ResultPolling
from imagestudio.application.ports.provider import LookupOutcome, TaskMissing, TaskPending
from imagestudio.domain.media import MediaType

logger = logging.getLogger(__name__)


async def look_up(
    results: ResultPolling, output: MediaType, task_id: str, deadline: Deadline
) -> LookupOutcome:
    """What Stability says of `task_id` now; anything short of a verdict is "ask later"."""
    try:
        response = await results.fetch(task_id, deadline)
    except DeadlinePassed as late:
        logger.warning("stability lookup of %s: no answer in time (%s)", task_id, late)
        return TaskPending(task_id)
    except httpx.TransportError as error:
        logger.warning("stability lookup of %s: unreachable (%s)", task_id, described(error))
        return TaskPending(task_id)
    status = response.status_code
    if status == httpx.codes.ACCEPTED:
        return TaskPending(task_id)
    if status == httpx.codes.OK:
        answered = read_artifact(response, output, task_id=task_id)
        if isinstance(answered, Unreadable):  # billed: fetch it again on the next round
            logger.warning("stability lookup of %s: %s; asking later", task_id, answered.detail)
            return TaskPending(task_id)
        return answered
    if status == httpx.codes.NOT_FOUND:
        return TaskMissing(task_id, error_detail(response))
    # Anything else (5xx after retries, a refused key, a lock-out) is no verdict on the task:
    # ask again later. A task that really failed stops answering 5xx once its result
    # expires (24 h), and is then missing — released, never charged.
    logger.warning("stability lookup of %s: HTTP %s, asking later", task_id, status)
    return TaskPending(task_id)
