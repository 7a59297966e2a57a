"""Waiting for an accepted task: read-only polls, spaced out, bounded by the deadline.

Only the GET is retried (429, 5xx, transport errors); the task itself is never sent again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

import httpx

from imagestudio.adapters.providers.deadline import Deadline, DeadlinePassed
from imagestudio.adapters.providers.read_retries import get_with_retries
from imagestudio.adapters.wavespeed.predictions import Prediction, read_prediction

GROWTH = 1.5


@dataclass(frozen=True, slots=True)
class PollGaveUp:
    """The task's end was not seen: it exists, so its outcome is unknown, not failed."""

    detail: str


def result_url(api_root: str, task_id: str) -> str:
    return f"{api_root}/predictions/{quote(task_id, safe='')}/result"


async def fetch_prediction(
    client: httpx.AsyncClient,
    api_root: str,
    task_id: str,
    *,
    headers: Mapping[str, str],
    deadline: Deadline,
) -> httpx.Response:
    """One poll of the task, retried while worth it. Raises as `get_with_retries` does."""
    return await get_with_retries(
        client, result_url(api_root, task_id), deadline=deadline, headers=headers
    )


async def poll_until_done(
    client: httpx.AsyncClient,
    api_root: str,
    task_id: str,
    *,
    headers: Mapping[str, str],
    deadline: Deadline,
    interval: float,
    interval_max: float,
    progressed: Callable[[str], None],
) -> Prediction | PollGaveUp:
    """Poll until the task completes or fails, with a growing pause between polls; each
    status it is still in (`created`, `processing`) is told to `progressed`."""
    while True:
        await asyncio.sleep(min(interval, deadline.remaining()))
        try:
            response = await fetch_prediction(
                client, api_root, task_id, headers=headers, deadline=deadline
            )
        except DeadlinePassed:
            return PollGaveUp("the deadline passed while the task was still running")
        except httpx.TransportError as trouble:
            return PollGaveUp(f"polling failed: {type(trouble).__name__}")
        if response.status_code != 200:
            return PollGaveUp(f"polling failed: HTTP {response.status_code}")
        prediction = read_prediction(response)
        if prediction is None:
            return PollGaveUp("a poll reply held no prediction")
        if prediction.completed or prediction.failed:
            return prediction
        if prediction.status:
            progressed(prediction.status)
        interval = min(interval * GROWTH, interval_max)
