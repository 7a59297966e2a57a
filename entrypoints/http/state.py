"""What the HTTP app holds while it runs: the studio, its settings and its running jobs."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request

from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.http.jobs import OperationJobs
from imagestudio.entrypoints.http.openai_retries import AbandonedCalls
from imagestudio.entrypoints.http.pages.local_runs import LocalRuns
from imagestudio.entrypoints.settings import Settings


@dataclass(slots=True)
class AppState:
    studio: ImageStudio
    settings: Settings
    jobs: OperationJobs
    abandoned_calls: AbandonedCalls = field(default_factory=AbandonedCalls)
    """OpenAI calls whose client left before the answer, for its retry to join."""
    local_runs: LocalRuns = field(default_factory=LocalRuns)
    """The local pages' runs by form token, for a second submit of a form to join."""


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.imagestudio
    return state
