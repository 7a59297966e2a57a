"""The admin API's users and their keys: list, add, move to a plan, rotate and revoke keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from returns.result import Failure

from imagestudio.application.use_cases.list_users import DEFAULT_PAGE_SIZE as DEFAULT_USER_PAGE
from imagestudio.application.use_cases.list_users import MAX_PAGE_SIZE as MAX_USER_PAGE
from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.http.admin_refusals import ADMIN_RESPONSES, admin_router, refuse
from imagestudio.entrypoints.http.admin_user_schemas import NewUserIn, NewUserOut, UserPageOut
from imagestudio.entrypoints.http.key_schemas import KeyOut, RotatedKeyOut
from imagestudio.entrypoints.http.plan_schemas import UserPlanIn, UserPlanOut
from imagestudio.entrypoints.http.state import app_state

router = admin_router()


@router.get("/users", response_model=UserPageOut, responses=ADMIN_RESPONSES)
async def list_users(
    request: Request,
    after: Annotated[
        str | None, Query(max_length=200, description="A user id: list those after it.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_USER_PAGE)] = DEFAULT_USER_PAGE,
) -> UserPageOut:
    """Users by id: plan, when added, keys (all and live) and spend this billing period. Pass
    `next_cursor` back as `after` for the next page."""
    if after is not None and not after.isprintable():
        raise refuse(InvalidInput("after", "must not contain control characters"))
    page = await app_state(request).studio.list_users.execute(after, limit)
    if isinstance(page, Failure):
        raise refuse(page.failure())
    return UserPageOut.of(page.unwrap())


@router.post("/users", response_model=NewUserOut, status_code=201, responses=ADMIN_RESPONSES)
async def add_user(body: NewUserIn, request: Request) -> NewUserOut:
    """Create a user on a plan; the answer carries their API key, this once."""
    added = await app_state(request).studio.add_user.execute(body.user_id, body.plan)
    if isinstance(added, Failure):
        raise refuse(added.failure())
    return NewUserOut(user_id=body.user_id, api_key=added.unwrap().secret)


@router.put("/users/{user_id}/plan", response_model=UserPlanOut, responses=ADMIN_RESPONSES)
async def change_plan(user_id: str, body: UserPlanIn, request: Request) -> UserPlanOut:
    """Move a user to another plan, now; what they used this period stays used."""
    changed = await app_state(request).studio.change_plan.execute(user_id, body.plan)
    if isinstance(changed, Failure):
        raise refuse(changed.failure())
    return UserPlanOut(user_id=user_id, plan=changed.unwrap().name)


@router.get("/users/{user_id}/keys", response_model=list[KeyOut], responses=ADMIN_RESPONSES)
async def list_keys(user_id: str, request: Request) -> list[KeyOut]:
    """A user's keys, live and revoked, oldest first, by id and prefix."""
    keys = await app_state(request).studio.list_keys.execute(user_id)
    if isinstance(keys, Failure):
        raise refuse(keys.failure())
    return [KeyOut.of(key) for key in keys.unwrap()]


@router.post(
    "/users/{user_id}/keys/rotate", response_model=RotatedKeyOut, responses=ADMIN_RESPONSES
)
async def rotate_key(user_id: str, request: Request) -> RotatedKeyOut:
    """Revoke every live key of the user and issue one new key, shown this once."""
    rotated = await app_state(request).studio.rotate_key.execute(user_id)
    if isinstance(rotated, Failure):
        raise refuse(rotated.failure())
    done = rotated.unwrap()
    return RotatedKeyOut(
        user_id=user_id,
        api_key=done.issued.secret,
        key=KeyOut.of(done.issued.key),
        revoked=[KeyOut.of(key) for key in done.revoked],
    )


@router.delete("/keys/{reference}", response_model=KeyOut, responses=ADMIN_RESPONSES)
async def revoke_key(reference: str, request: Request) -> KeyOut:
    """Revoke one key at once, named by its id or its prefix (the whole key works too, as in
    the CLI, but a URL is no place for a secret). Revoking a revoked key changes nothing; a
    prefix two keys share is refused (409): name the key by its id."""
    revoked = await app_state(request).studio.revoke_key.execute(reference)
    if isinstance(revoked, Failure):
        raise refuse(revoked.failure())
    return KeyOut.of(revoked.unwrap())
