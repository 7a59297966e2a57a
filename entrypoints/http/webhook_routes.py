"""`/v1/webhooks`: your signing secret, and the deliveries made to your webhooks.

GET  /v1/webhooks/secret                           your `whsec_…` secret (made on first use)
POST /v1/webhooks/secret/rotate                    a new secret; the old one stops at once
GET  /v1/webhooks/deliveries                       your deliveries with their attempts
POST /v1/admin/webhooks/deliveries/{id}/retry      send one again now (admin key)
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from returns.result import Failure

from imagestudio.application.page_cursors import parsed_place, place_text
from imagestudio.application.ports.webhooks import DeliveryRecord
from imagestudio.domain.webhook import DeliveryState
from imagestudio.entrypoints.http.auth import ProblemError, current_user, require_admin
from imagestudio.entrypoints.http.operation_routes import RESPONSES, refuse
from imagestudio.entrypoints.http.problems import Problem
from imagestudio.entrypoints.http.state import app_state
from imagestudio.entrypoints.http.studio_route import StudioRoute

router = APIRouter(tags=["webhooks"], route_class=StudioRoute)
User = Annotated[str, Depends(current_user)]
MAX_PAGE = 100


class SecretOut(BaseModel):
    secret: str = Field(
        description="Verify each delivery's `webhook-signature` with it (Standard Webhooks)."
    )


class AttemptOut(BaseModel):
    number: int
    at: datetime
    status_code: int | None = Field(description="The receiver's answer; None if none came.")
    error: str | None
    duration_ms: int


class DeliveryOut(BaseModel):
    id: str = Field(description="The `webhook-id` header of every attempt.")
    operation_id: str
    event: str
    url: str
    state: str = Field(description="`pending`, `delivered` or `failed` (gave up).")
    attempts: list[AttemptOut]
    created_at: datetime
    next_attempt_at: datetime | None = Field(description="None once it is no longer pending.")
    delivered_at: datetime | None

    @classmethod
    def of(cls, record: DeliveryRecord) -> DeliveryOut:
        delivery = record.delivery
        pending = delivery.state is DeliveryState.PENDING
        return cls(
            id=delivery.id,
            operation_id=delivery.operation_id,
            event=delivery.event.type_name,
            url=delivery.url,
            state=delivery.state.value,
            attempts=[
                AttemptOut(
                    number=attempt.number,
                    at=attempt.at,
                    status_code=attempt.status_code,
                    error=attempt.error,
                    duration_ms=attempt.duration_ms,
                )
                for attempt in record.attempts
            ],
            created_at=delivery.created_at,
            next_attempt_at=delivery.next_attempt_at if pending else None,
            delivered_at=delivery.delivered_at,
        )


class DeliveryPageOut(BaseModel):
    items: list[DeliveryOut]
    next_cursor: str | None = None


@router.get("/v1/webhooks/secret", response_model=SecretOut, responses=RESPONSES)
async def get_secret(request: Request, user: User) -> SecretOut:
    """Your webhook signing secret (made on first use): only you see it, and it verifies only
    deliveries of your operations."""
    return SecretOut(secret=await app_state(request).studio.webhook_secrets.secret_for(user))


@router.post("/v1/webhooks/secret/rotate", response_model=SecretOut, responses=RESPONSES)
async def rotate_secret(request: Request, user: User) -> SecretOut:
    """A new signing secret: every attempt from now on is signed with it, retries included."""
    return SecretOut(secret=await app_state(request).studio.webhook_secrets.rotate(user))


@router.get("/v1/webhooks/deliveries", response_model=DeliveryPageOut, responses=RESPONSES)
async def list_deliveries(
    request: Request,
    user: User,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
) -> DeliveryPageOut:
    """Your webhook deliveries, newest first, each with its attempts (kept 30 days); pass
    `next_cursor` back as `cursor` for the next page."""
    after = None
    if cursor is not None:
        place = parsed_place(cursor)
        if isinstance(place, Failure):
            raise refuse(place.failure())
        after = place.unwrap()
    deliveries = app_state(request).studio.container.webhook_deliveries()
    found = await deliveries.page(user, after, limit + 1)
    items = found[:limit]
    last = items[-1].delivery if len(found) > limit else None
    return DeliveryPageOut(
        items=[DeliveryOut.of(record) for record in items],
        next_cursor=None if last is None else place_text(last.created_at, last.id),
    )


@router.post(
    "/v1/admin/webhooks/deliveries/{delivery_id}/retry",
    response_model=DeliveryOut,
    responses=RESPONSES,
    dependencies=[Depends(require_admin)],
    tags=["admin"],
)
async def retry_delivery(delivery_id: str, request: Request) -> DeliveryOut:
    """Make the delivery pending and due now, whatever its state (the worker sends it with
    the same `webhook-id`)."""
    studio = app_state(request).studio
    deliveries = studio.container.webhook_deliveries()
    again = await deliveries.retry(delivery_id, studio.container.clock().now())
    record = None if again is None else await deliveries.get(delivery_id)
    if record is None:
        raise ProblemError(
            Problem(
                status=404,
                slug="delivery-not-found",
                title="Webhook delivery not found",
                detail=f"no webhook delivery has the id {delivery_id}",
                headers={"x-should-retry": "false"},
            )
        )
    await studio.wake_webhooks()
    return DeliveryOut.of(record)
