"""The least a WaveSpeed client does for one job, straight at the sandbox: submit, poll on the
adapter's schedule until the task ends, download the output. What the benchmarks measure the
adapter (and the API) against."""

from __future__ import annotations

import asyncio
from typing import Protocol

import httpx

POLL_GROWTH = 1.5  # as adapters/wavespeed/polling.py
POLL_MAX = 8.0  # poll_interval_max: max(8, poll seconds), as the provider wiring sets it


class Steps(Protocol):
    """Work done at the money path's points of the loop: what the floor of figure 2 adds."""

    def before_submit(self) -> None: ...

    def after_submit(self) -> None: ...

    def after_download(self, content: bytes) -> None: ...


async def bare_run(
    client: httpx.AsyncClient,
    route: str,
    body: dict[str, object],
    first_poll: float,
    steps: Steps | None = None,
) -> str | None:
    """None once the output is downloaded, else why the job failed."""
    if steps is not None:
        steps.before_submit()
    response = await client.post(f"/api/v3/{route}", json=body)
    if response.status_code != 200:
        return f"submit: HTTP {response.status_code} {response.text[:80]}"
    prediction = response.json()["data"]
    if steps is not None:
        steps.after_submit()
    interval = first_poll
    while prediction["status"] not in ("completed", "failed"):
        await asyncio.sleep(interval)
        response = await client.get(f"/api/v3/predictions/{prediction['id']}/result")
        if response.status_code != 200:
            return f"poll: HTTP {response.status_code} {response.text[:80]}"
        prediction = response.json()["data"]
        interval = min(interval * POLL_GROWTH, POLL_MAX)
    if prediction["status"] == "failed":
        return f"task failed: {prediction.get('error')}"
    download = await client.get(prediction["outputs"][0])
    if download.status_code != 200 or not download.content:
        return f"download: HTTP {download.status_code}"
    if steps is not None:
        steps.after_download(download.content)
    return None
