"""What the HTTP app holds while it runs: the studio, its settings and its running jobs."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.http.jobs import OperationJobs
from imagestudio.entrypoints.settings import Settings


@dataclass(slots=True)
class AppState:
    studio: ImageStudio
    settings: Settings
    jobs: OperationJobs


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.imagestudio
    return state
