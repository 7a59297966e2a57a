"""Operator routes, behind the admin key (IMAGESTUDIO_ADMIN_KEY)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from returns.result import Failure

from imagestudio.entrypoints.http.auth import require_admin
from imagestudio.entrypoints.http.operation_routes import RESPONSES, refuse
from imagestudio.entrypoints.http.schemas import NewUserIn, NewUserOut
from imagestudio.entrypoints.http.state import app_state

router = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[Depends(require_admin)])


@router.post("/users", response_model=NewUserOut, status_code=201, responses=RESPONSES)
async def add_user(body: NewUserIn, request: Request) -> NewUserOut:
    """Create a user on a plan; the answer carries their API key, this once."""
    added = await app_state(request).studio.add_user.execute(body.user_id, body.plan)
    if isinstance(added, Failure):
        raise refuse(added.failure())
    return NewUserOut(user_id=body.user_id, api_key=added.unwrap().secret)
