"""`GET /v1/operations/{id}/events`: an operation's events as server-sent events, until it
settles. The events are `FollowOperation`'s; this module only writes them as the stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import StreamingResponse
from returns.result import Failure

from imagestudio.application.use_cases.follow_operation import Following, Idle
from imagestudio.domain.operation_history import OperationEvent
from imagestudio.entrypoints.http.auth import ProblemError, current_user
from imagestudio.entrypoints.http.operation_routes import RESPONSES
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.state import app_state
from imagestudio.entrypoints.http.studio_route import StudioRoute

router = APIRouter(prefix="/v1/operations", tags=["operations"], route_class=StudioRoute)
User = Annotated[str, Depends(current_user)]

EVENT_STREAM = "text/event-stream"
RETRY_MILLISECONDS = 3000
"""How long a disconnected EventSource waits before it resumes (with `Last-Event-ID`)."""
STREAM_HEADERS = {"cache-control": "no-store", "x-accel-buffering": "no"}
_STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the events, one per status change, until the final one",
        "content": {EVENT_STREAM: {"schema": {"type": "string"}}},
    },
    204: {"description": "the final event was already heard: nothing more will come"},
    **{status: RESPONSES[status] for status in (400, 401, 404, 422)},
}


@router.get(
    "/{operation_id}/events",
    response_class=StreamingResponse,
    responses=_STREAM_RESPONSES,
)
async def operation_events(
    operation_id: str,
    request: Request,
    user: User,
    last_event_id: Annotated[
        str | None,
        Header(
            alias="last-event-id",
            max_length=40,
            description="Resume after this event (an `id:` of this stream, such as `0.1.1`)",
        ),
    ] = None,
) -> Response:
    """Server-sent events for your operation: `operation.accepted`, `operation.sent` (with
    the provider's task ids), `operation.progress` (only from the server running it),
    `operation.unknown` and `operation.settled` (charge, outcome, assets, error), each with an
    id to resume after (`Last-Event-ID`); a request `auto` moved to another provider goes on
    with that operation's events. The stream ends after the final event."""
    state = app_state(request)
    following = await state.studio.follow_operation.execute(user, operation_id, last_event_id)
    if isinstance(following, Failure):
        raise ProblemError(problem_for(following.failure()))
    followed = following.unwrap()
    if followed.heard_all:
        return Response(status_code=204, headers=STREAM_HEADERS)
    heartbeat = state.settings.events_heartbeat_seconds
    return StreamingResponse(
        _stream(followed, heartbeat), media_type=EVENT_STREAM, headers=STREAM_HEADERS
    )


async def _stream(followed: Following, heartbeat: float) -> AsyncIterator[str]:
    clock = asyncio.get_running_loop()
    yield f"retry: {RETRY_MILLISECONDS}\n: following {followed.operation_id}\n\n"
    quiet_since = clock.time()
    async for item in followed.events:
        if isinstance(item, Idle):
            if clock.time() - quiet_since >= heartbeat:
                quiet_since = clock.time()
                yield ": still waiting\n\n"
            continue
        quiet_since = clock.time()
        yield written(item)


def written(event: OperationEvent) -> str:
    """One event in the stream's format: its name, its id (none for progress) and its data."""
    head = f"event: {event.kind.type_name}\n"
    if event.id is not None:
        head += f"id: {event.id}\n"
    return head + f"data: {json.dumps(event.data(), separators=(',', ':'))}\n\n"
