"""What the HTTP app holds while it runs: the studio, its settings and its running jobs."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request

from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.http.jobs import OperationJobs
from imagestudio.entrypoints.http.openai_retries import CallJobs
from imagestudio.entrypoints.http.pages.local_runs import LocalRuns
from imagestudio.entrypoints.settings import Settings


@dataclass(slots=True)
class AppState:
    studio: ImageStudio
    settings: Settings
    jobs: OperationJobs
    call_jobs: CallJobs = field(default_factory=CallJobs)
    """OpenAI calls whose client left before the answer, for its retry to join."""
    local_runs: LocalRuns = field(default_factory=LocalRuns)
    """The local pages' runs by form token, for a second submit of a form to join."""


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.imagestudio
    return state
