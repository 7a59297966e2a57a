"""The admin API's plans: list, read, define."""

from __future__ import annotations

from fastapi import Request, Response
from returns.result import Failure

from imagestudio.domain.errors import InvalidInput, UnknownPlan
from imagestudio.entrypoints.http.admin_refusals import ADMIN_RESPONSES, admin_router, refuse
from imagestudio.entrypoints.http.plan_schemas import PlanIn, PlanOut
from imagestudio.entrypoints.http.state import app_state

router = admin_router()


@router.get("/plans", response_model=list[PlanOut], responses=ADMIN_RESPONSES)
async def list_plans(request: Request) -> list[PlanOut]:
    """Every plan and its limits per billing period."""
    return [PlanOut.of(plan) for plan in await app_state(request).studio.list_plans.execute()]


@router.get("/plans/{name}", response_model=PlanOut, responses=ADMIN_RESPONSES)
async def get_plan(name: str, request: Request) -> PlanOut:
    """One plan; 404 `unknown-plan` when there is none by that name."""
    for plan in await app_state(request).studio.list_plans.execute():
        if plan.name == name:
            return PlanOut.of(plan)
    raise refuse(UnknownPlan(name))


@router.put(
    "/plans/{name}",
    response_model=PlanOut,
    responses={201: {"model": PlanOut, "description": "a new plan"}, **ADMIN_RESPONSES},
)
async def define_plan(name: str, body: PlanIn, request: Request, response: Response) -> PlanOut:
    """Create a plan (201) or replace one (200): its users get the new limits at once, and what
    they used this period stays used."""
    studio = app_state(request).studio
    plan = body.to_plan(name)
    if isinstance(plan, InvalidInput):
        raise refuse(plan)
    existed = any(known.name == name for known in await studio.list_plans.execute())
    defined = await studio.define_plan.execute(plan)
    if isinstance(defined, Failure):
        raise refuse(defined.failure())
    response.status_code = 200 if existed else 201
    return PlanOut.of(defined.unwrap())
