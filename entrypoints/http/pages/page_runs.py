"""Running an operation from a page: started as a job, answered on the same page if it is
refused at once (nothing reserved or charged), else sent to the operation's page, which follows
it until it settles. Create and every kind's page run this way."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from returns.result import Failure
from starlette.datastructures import FormData

from imagestudio.application.requests import OperationRequest
from imagestudio.entrypoints.http.pages.page_errors import PageProblem
from imagestudio.entrypoints.http.pages.run_tokens import run_key
from imagestudio.entrypoints.http.pages.templating import link
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.shutting_down import shutting_down
from imagestudio.entrypoints.http.state import app_state

REFUSAL_SECONDS = 0.5
"""How long the run waits for a refusal before the operation's page takes over: a request
refused at once (a limit, a bad field) is answered on the page it was sent from."""


def refuse_when_shutting_down(request: Request) -> None:
    if not app_state(request).jobs.accepting:
        raise PageProblem(
            shutting_down("this server is shutting down; try again in a moment", retry_after=False)
        )


def run_operation_id(form: FormData, user_id: str) -> str:
    """The operation id a run of `form` takes (`run_tokens.run_key`): a second submit of the
    same form names the same operation and runs nothing more."""
    return f"op_{run_key(form, user_id)}"


async def run_and_follow(request: Request, user_id: str, wanted: OperationRequest) -> Response:
    """Start `wanted` (its `operation_id` chosen by `run_operation_id`) and follow it;
    `PageProblem` when it is refused at once (the page shows its form again with the refusal).
    A run of that id already started is followed, never started again."""
    state = app_state(request)
    job = wanted.operation_id
    assert job is not None
    if await _recorded(request, user_id, job):
        return _follow(request, job)
    # No await between the look and the start: a second submit arriving meanwhile sees it.
    if not state.jobs.running(job) and state.jobs.finished(job) is None:
        state.jobs.start(wanted)
    outcome = await state.jobs.wait(job, REFUSAL_SECONDS)
    if outcome is None:
        outcome = await state.jobs.wait_recorded(job, 5.0)
    if isinstance(outcome, Failure) and not await _recorded(request, user_id, job):
        # Refused before it was accepted: nothing was reserved or charged.
        raise PageProblem(problem_for(outcome.failure()))
    return _follow(request, job)


def _follow(request: Request, operation_id: str) -> Response:
    return RedirectResponse(link(request, f"/operations/{operation_id}"), status_code=303)


async def _recorded(request: Request, user_id: str, operation_id: str) -> bool:
    shown = await app_state(request).studio.show_operation.execute(user_id, operation_id)
    return not isinstance(shown, Failure)
