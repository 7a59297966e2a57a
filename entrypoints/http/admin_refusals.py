"""How the admin routes refuse, and what their answers may be besides success."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from imagestudio.domain.errors import AdminError, RefundTooLarge
from imagestudio.entrypoints.http.auth import ProblemError, require_admin
from imagestudio.entrypoints.http.operation_routes import RESPONSES
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.studio_route import StudioRoute

ADMIN_RESPONSES = {**RESPONSES, 403: RESPONSES[401] | {"description": "admin API disabled"}}


def refuse(error: AdminError | RefundTooLarge) -> ProblemError:
    """The problem an operator's command is refused with."""
    return ProblemError(problem_for(error))


def admin_router() -> APIRouter:
    """A router of operator routes: under /v1/admin, behind the admin key."""
    return APIRouter(
        prefix="/v1/admin",
        tags=["admin"],
        dependencies=[Depends(require_admin)],
        route_class=StudioRoute,
    )
