"""A prediction's life after the submit: created → processing → completed | failed.

It runs as an asyncio task on the server's loop: processing after a third of its latency, the
outputs rendered meanwhile, the verdict once the whole latency has passed. Only a completed task
is billed (filtered ones too); a failed one costs nothing.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass

from imagestudio.adapters.offline_provider.video import VideoUnavailable
from imagestudio.adapters.sandbox.billing import BilledTask
from imagestudio.adapters.sandbox.rendering import RenderRefused, render_outputs
from imagestudio.adapters.sandbox.state import SandboxState
from imagestudio.adapters.sandbox.wavespeed_predictions import Prediction, Status
from imagestudio.adapters.sandbox.wavespeed_requests import TaskOrder
from imagestudio.application.ports.provider import Artifact

PROVIDER = "wavespeed"
INTERRUPTED = "Internal error: the prediction was interrupted"


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """Decided at the submit: whether the task will fail, and whether its outputs are flagged."""

    failure: str | None = None
    nsfw: bool = False
    base64_output: bool = False
    latency_seconds: float = 0.0
    """How long the task runs (the configured latency, or a slow-task fault's)."""


async def run_prediction(
    prediction: Prediction, order: TaskOrder, verdict: Verdict, state: SandboxState
) -> None:
    """Take the prediction to its end; always finishes it, even when cancelled."""
    loop = asyncio.get_running_loop()
    latency = verdict.latency_seconds
    try:
        await asyncio.sleep(latency / 3)
        prediction.status = Status.PROCESSING
        started = loop.time()
        failure: str | None = verdict.failure
        artifacts: tuple[Artifact, ...] = ()
        if failure is None:
            failure, artifacts = await _rendered(order)
        await asyncio.sleep(max(0.0, started + latency * 2 / 3 - loop.time()))
        elapsed_ms = round((loop.time() - started) * 1000)
        if failure is not None:
            prediction.fail(failure, elapsed_ms)
            return
        outputs = [_delivered(artifact, prediction, verdict, state) for artifact in artifacts]
        state.book.charge(
            BilledTask(PROVIDER, prediction.id, prediction.model, prediction.price, verdict.nsfw)
        )
        prediction.complete(outputs, verdict.nsfw, elapsed_ms)
    finally:
        if prediction.running:
            prediction.fail(INTERRUPTED, 0)


async def _rendered(order: TaskOrder) -> tuple[str | None, tuple[Artifact, ...]]:
    try:
        artifacts = await render_outputs(
            kind=order.kind,
            prompt=order.prompt,
            width=order.width,
            height=order.height,
            images=order.images,
            output=order.output,
            outputs=order.outputs,
            seed=order.seed,
            parameters=order.parameters,
        )
    except (RenderRefused, VideoUnavailable) as refused:
        return f"Prediction failed: {refused}", ()
    except Exception as error:  # the task must end with a verdict whatever the renderer did
        return f"Internal error: {error}", ()
    return None, artifacts


def _delivered(
    artifact: Artifact, prediction: Prediction, verdict: Verdict, state: SandboxState
) -> str:
    """An output as the client asked for it: a URL the sandbox hosts, or base64."""
    if verdict.base64_output:
        encoded = base64.b64encode(artifact.data).decode("ascii")
        if state.config.base64_data_uri:
            return f"data:{artifact.media_type.value};base64,{encoded}"
        return encoded
    return prediction.base_url + state.files.put(artifact.data, artifact.media_type)
