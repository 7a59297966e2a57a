"""One submit to WaveSpeed, sent once, then followed to its outcome.

Once the submit may have left the machine it is never sent again: an outcome that cannot be
seen is `SubmitUnknown`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from imagestudio.adapters.providers.deadline import WHOLE_REPLY_GRACE, Deadline, DeadlinePassed
from imagestudio.adapters.wavespeed.client import CONNECT_TIMEOUT
from imagestudio.adapters.wavespeed.errors import failed, submit_refusal, task_failure
from imagestudio.adapters.wavespeed.outputs import OutputUnavailable, collect_outputs
from imagestudio.adapters.wavespeed.polling import PollGaveUp, poll_until_done
from imagestudio.adapters.wavespeed.predictions import Prediction, read_prediction
from imagestudio.adapters.wavespeed.requests import Body, route_of
from imagestudio.adapters.wavespeed.settings import WaveSpeedSettings
from imagestudio.adapters.wavespeed.transport_trouble import NOTHING_SENT, named
from imagestudio.application.ports.provider import (
    ProviderJob,
    ProviderOutcome,
    ProviderSuccess,
    SubmissionReport,
    SubmitUnknown,
)
from imagestudio.domain.errors import OutputFiltered, ProviderErrorKind

# The provider's logger: its log lines keep the name operators filter on.
logger = logging.getLogger("imagestudio.adapters.wavespeed.provider")

K = ProviderErrorKind


@dataclass(frozen=True, slots=True)
class Connection:
    """What every call to WaveSpeed needs: the pooled client, the API root, the auth header."""

    settings: WaveSpeedSettings
    client: httpx.AsyncClient
    api: str
    auth: dict[str, str]


async def submit_once(
    wire: Connection,
    job: ProviderJob,
    body: Body,
    report: SubmissionReport,
    deadline: Deadline,
) -> ProviderOutcome:
    route = route_of(job)
    await report.sending()
    allowed = min(wire.settings.submit_timeout, max(1.0, deadline.remaining()))
    try:
        # httpx's timeouts are per read: a reply dripping a byte at a time would outlast them,
        # so the whole submit is bounded too (what is sent by then may have made the task).
        async with asyncio.timeout(allowed + WHOLE_REPLY_GRACE):
            response = await wire.client.post(
                f"{wire.api}/{route}",
                json=body,
                headers=wire.auth,
                timeout=httpx.Timeout(allowed, connect=CONNECT_TIMEOUT),
                follow_redirects=False,
            )
    except NOTHING_SENT as trouble:
        return failed(K.UNAVAILABLE, f"could not reach WaveSpeed: {named(trouble)}")
    except (httpx.RequestError, TimeoutError) as trouble:  # a reply cut, undecodable, looping
        logger.warning(
            "wavespeed submit to %s: outcome unknown (%s)", route, type(trouble).__name__
        )
        cut = isinstance(trouble, TimeoutError)
        why = f"the reply still came after {allowed:g} s" if cut else named(trouble)
        return SubmitUnknown(task_id=None, detail=f"the submit may have been received: {why}")
    if not response.is_success:
        return submit_refusal(response)
    prediction = read_prediction(response)
    if prediction is None:
        return SubmitUnknown(task_id=None, detail="the submit's reply held no task id")
    await report.accepted(prediction.id)
    logger.info("wavespeed task %s accepted for %s", prediction.id, route)
    try:
        return await follow_task(wire, job, prediction, deadline, report.progressed)
    except DeadlinePassed as late:  # never let it reach `run`, which reads it as "queued"
        return SubmitUnknown(task_id=prediction.id, detail=str(late))


async def follow_task(
    wire: Connection,
    job: ProviderJob,
    prediction: Prediction,
    deadline: Deadline,
    progressed: Callable[[str], None],
) -> ProviderOutcome:
    """From an accepted task to its outcome; every failure to see it is SubmitUnknown."""
    task_id = prediction.id
    if not (prediction.completed or prediction.failed):
        polled = await poll_until_done(
            wire.client,
            wire.api,
            task_id,
            headers=wire.auth,
            deadline=deadline,
            interval=wire.settings.poll_interval,
            interval_max=wire.settings.poll_interval_max,
            progressed=progressed,
        )
        if isinstance(polled, PollGaveUp):
            logger.warning("wavespeed task %s: outcome unknown (%s)", task_id, polled.detail)
            return SubmitUnknown(task_id=task_id, detail=polled.detail)
        prediction = polled
    if prediction.failed:
        return task_failure(prediction.error, prediction.status)
    try:
        return await fetch_outputs(wire, job, prediction, deadline)
    except OutputUnavailable as lost:
        logger.warning("wavespeed task %s: outputs unavailable (%s)", task_id, lost)
        return SubmitUnknown(task_id=task_id, detail=str(lost))


async def fetch_outputs(
    wire: Connection, job: ProviderJob, prediction: Prediction, deadline: Deadline
) -> ProviderSuccess | OutputFiltered:
    return await collect_outputs(
        wire.client,
        prediction.raw,
        job,
        deadline=deadline,
        download_timeout=wire.settings.download_timeout,
    )
