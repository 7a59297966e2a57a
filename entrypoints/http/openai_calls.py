"""One call of OpenAI's images API run as a job of this server (as `POST /v1/operations` runs
it: counted in /metrics, drained on shutdown) and answered with its images, the answer waiting
for the end; a client's repeat of the call joins the job its earlier attempt waited on."""

from __future__ import annotations

import asyncio
import base64
import math
import uuid
from dataclasses import replace

from fastapi import Request
from returns.result import Failure

from imagestudio.application.requests import OperationRequest
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import Cancelled, OutcomeUnknown
from imagestudio.domain.operation import OperationStatus
from imagestudio.entrypoints.http.openai_formats import AnswerFormat
from imagestudio.entrypoints.http.openai_requests import OpenAIProblem
from imagestudio.entrypoints.http.openai_retries import (
    IN_PROGRESS_POLL_SECONDS,
    call_fingerprint,
    is_client_retry,
    still_running,
)
from imagestudio.entrypoints.http.openai_schemas import ImageOut, ImagesOut
from imagestudio.entrypoints.http.problems import NO_RETRY, Problem, problem_for
from imagestudio.entrypoints.http.shutting_down import shutting_down
from imagestudio.entrypoints.http.signed_asset_routes import asset_links
from imagestudio.entrypoints.http.state import AppState, app_state


def _earlier_attempts_job(state: AppState, fingerprint: str) -> str | None:
    """The job a repeat joins (or whose success it replays): the one an earlier attempt of the
    call waited on, unless it failed, which the client repeats to have it run anew."""
    job = state.call_jobs.take(fingerprint)
    if job is None or state.jobs.crashed(job) or isinstance(state.jobs.finished(job), Failure):
        return None
    return job


async def run_call(
    request: Request, operation: OperationRequest, response_format: str, answer: AnswerFormat
) -> ImagesOut:
    """Run `operation` as a job of this server and answer with its images, as OpenAI does; a
    client's repeat of the call joins the job an earlier attempt waited on."""
    state = app_state(request)
    if not state.jobs.accepting:
        raise OpenAIProblem(shutting_down())
    # A job of this server, as `POST /v1/operations` runs it: counted in /metrics and drained
    # on shutdown. OpenAI's API answers with the images, so the answer waits for the end.
    fingerprint = call_fingerprint(operation, response_format)
    job = _earlier_attempts_job(state, fingerprint) if is_client_retry(request) else None
    while True:
        if job is None:
            job = state.jobs.start(replace(operation, operation_id=f"op_{uuid.uuid4().hex}"))
        state.call_jobs.remember(fingerprint, job)  # for this call's next repeat, if any
        outcome = await state.jobs.wait(job, math.inf)
        if not still_running(outcome) or await request.is_disconnected():
            break
        await asyncio.sleep(IN_PROGRESS_POLL_SECONDS)  # then the key's replay answers
        job = None
    if outcome is None:
        raise OpenAIProblem(await _stopped(state, job))
    if isinstance(outcome, Failure):
        raise OpenAIProblem(problem_for(outcome.failure()))
    result = outcome.unwrap()
    return ImagesOut(
        created=int(result.operation.created_at.timestamp()),
        data=[
            await _image(request, state, asset, response_format, answer) for asset in result.assets
        ],
    )


async def _stopped(state: AppState, job: str) -> Problem:
    """Why a run ended without an outcome: it raised (a bug), or it was cancelled (by
    `POST /v1/operations/{id}/cancel` or shutting down) — answered as its stored row says."""
    stored = await state.studio.container.operations().get(job)
    if state.jobs.crashed(job) or stored is None:
        return Problem(
            status=500,
            slug="internal",
            title="Internal error",
            detail="the operation failed unexpectedly; see the operations list for what it "
            "holds or was charged",
        )
    if stored.status is OperationStatus.UNKNOWN:
        task = stored.provider_task_ids[0] if stored.provider_task_ids else None
        unknown = OutcomeUnknown(operation_id=job, provider=stored.provider, provider_task_id=task)
        return problem_for(unknown)
    # Someone cancelled it: the client must not quietly run it again.
    return replace(problem_for(Cancelled(job)), headers=NO_RETRY)


async def _image(
    request: Request, state: AppState, asset: Asset, response_format: str, answer: AnswerFormat
) -> ImageOut:
    if response_format == "url":
        token = asset_links(request).sign(asset.owner, asset.id)
        link = request.url_for("get_signed_asset", token=token).include_query_params(
            **answer.query()
        )
        return ImageOut(url=str(link))
    found = await state.studio.get_asset.execute(asset.owner, asset.id)
    if isinstance(found, Failure):
        raise OpenAIProblem(problem_for(found.failure()))
    data, _ = await answer.applied(state, found.unwrap().data, asset.media_type)
    return ImageOut(b64_json=base64.b64encode(data).decode())
