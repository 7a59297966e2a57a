"""Operator routes, behind the admin key (IMAGESTUDIO_ADMIN_KEY); each runs the use case its
CLI command runs, with the same input rules (see `admin_amounts`).

    GET    /v1/admin/plans                         every plan
    GET    /v1/admin/plans/{name}                  one plan
    PUT    /v1/admin/plans/{name}                  create (201) or replace (200) a plan
    GET    /v1/admin/users                         users by page: plan, keys, spend this period
    POST   /v1/admin/users                         a new user on a plan, with their first key
    PUT    /v1/admin/users/{user_id}/plan          move a user to another plan, now
    GET    /v1/admin/users/{user_id}/keys          a user's keys (never the keys themselves)
    POST   /v1/admin/users/{user_id}/keys/rotate   revoke a user's keys, issue a new one
    DELETE /v1/admin/keys/{reference}              revoke one key, by id or prefix
    GET    /v1/admin/budgets                       operator budgets, with this month's spend
    PUT    /v1/admin/budgets/{provider}            set the monthly budget at a provider
    POST   /v1/admin/adjustments                   refund or correct a user's charge
    GET    /v1/admin/usage/export                  the ledger's lines, as CSV or JSON
    DELETE /v1/admin/users/{user_id}               erase a user (ledger lines kept, anonymised)
    POST   /v1/admin/storage/sweep                 delete assets past their plan's retention
    POST   /v1/admin/storage/gc                    remove bytes no asset names; report missing

A key is echoed only when it is issued (a new user, a rotation), never again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from returns.result import Failure

from imagestudio.application.use_cases.list_users import DEFAULT_PAGE_SIZE as DEFAULT_USER_PAGE
from imagestudio.application.use_cases.list_users import MAX_PAGE_SIZE as MAX_USER_PAGE
from imagestudio.domain.errors import (
    AdminError,
    InvalidInput,
    RefundTooLarge,
    UnknownPlan,
    UnknownUser,
)
from imagestudio.entrypoints.http.adjustment_schemas import AdjustmentIn, AdjustmentOut
from imagestudio.entrypoints.http.admin_user_schemas import UserPageOut
from imagestudio.entrypoints.http.auth import ProblemError, require_admin
from imagestudio.entrypoints.http.budget_schemas import BudgetIn, BudgetOut
from imagestudio.entrypoints.http.key_schemas import KeyOut, RotatedKeyOut
from imagestudio.entrypoints.http.ledger_export import (
    CSV_RESPONSE,
    SINCE,
    UNTIL,
    ExportFormat,
    exported,
)
from imagestudio.entrypoints.http.ledger_line_schema import LedgerLineOut
from imagestudio.entrypoints.http.operation_routes import RESPONSES
from imagestudio.entrypoints.http.plan_schemas import PlanIn, PlanOut, UserPlanIn, UserPlanOut
from imagestudio.entrypoints.http.problems import Problem, problem_for
from imagestudio.entrypoints.http.schemas import NewUserIn, NewUserOut
from imagestudio.entrypoints.http.state import app_state
from imagestudio.entrypoints.http.storage_schemas import (
    GarbageIn,
    GarbageOut,
    StorageSweepOut,
    UserDeletionOut,
)
from imagestudio.entrypoints.http.studio_route import StudioRoute

router = APIRouter(
    prefix="/v1/admin",
    tags=["admin"],
    dependencies=[Depends(require_admin)],
    route_class=StudioRoute,
)
ADMIN_RESPONSES = {**RESPONSES, 403: RESPONSES[401] | {"description": "admin API disabled"}}


def refuse(error: AdminError | RefundTooLarge) -> ProblemError:
    """The problem an operator's command is refused with."""
    return ProblemError(problem_for(error))


# -- plans -------------------------------------------------------------------------------


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


# -- users and keys ----------------------------------------------------------------------


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


# -- operator budgets --------------------------------------------------------------------


@router.get("/budgets", response_model=list[BudgetOut], responses=ADMIN_RESPONSES)
async def list_budgets(request: Request) -> list[BudgetOut]:
    """Each provider's monthly budget and this calendar month's spend against it."""
    return [BudgetOut.of(usage) for usage in await app_state(request).studio.list_budgets.execute()]


@router.put("/budgets/{provider}", response_model=BudgetOut, responses=ADMIN_RESPONSES)
async def set_budget(provider: str, body: BudgetIn, request: Request) -> BudgetOut:
    """Set the operator's monthly budget at a provider (all users together); it binds from the
    next request on. A provider no model uses is refused (422)."""
    studio = app_state(request).studio
    budget = body.to_budget(provider)
    if isinstance(budget, InvalidInput):
        raise refuse(budget)
    applied = await studio.set_budget.execute(budget)
    if isinstance(applied, Failure):
        raise refuse(applied.failure())
    usages = await studio.list_budgets.execute()
    return next(BudgetOut.of(usage) for usage in usages if usage.budget.provider == provider)


# -- the ledger --------------------------------------------------------------------------


@router.post(
    "/adjustments", response_model=AdjustmentOut, status_code=201, responses=ADMIN_RESPONSES
)
async def adjust_charge(body: AdjustmentIn, request: Request) -> AdjustmentOut:
    """Refund (negative amount) or correct a user's charge this period: a new ledger line of its
    own, never an edit. A refund below what was charged this period is refused (422)."""
    adjustment = body.to_adjustment()
    if isinstance(adjustment, InvalidInput):
        raise refuse(adjustment)
    done = await app_state(request).studio.adjust_charge.execute(adjustment)
    if isinstance(done, Failure):
        raise refuse(done.failure())
    return AdjustmentOut.of(done.unwrap())


@router.get(
    "/usage/export",
    response_model=list[LedgerLineOut],
    responses={200: CSV_RESPONSE, **ADMIN_RESPONSES},
)
async def export_usage(
    request: Request,
    since: Annotated[str, Query(description=SINCE)],
    until: Annotated[str | None, Query(description=UNTIL)] = None,
    user: Annotated[str | None, Query(description="One user; default: every user.")] = None,
    export_format: Annotated[ExportFormat, Query(alias="format")] = "csv",
) -> Response | list[LedgerLineOut]:
    """The ledger's lines (operations and adjustments) finished in [since, until), as CSV
    (`text/csv`, the columns of `imagestudio usage export`) or JSON."""
    return await exported(request, since, until, user, export_format)


# -- erasure and storage upkeep ----------------------------------------------------------


@router.delete("/users/{user_id}", response_model=UserDeletionOut, responses=ADMIN_RESPONSES)
async def delete_user(user_id: str, request: Request) -> UserDeletionOut:
    """Erase a user: their assets (rows and bytes), keys, operations and quota go at once; their
    ledger lines stay under a fresh tombstone id, so every total still adds up. Refused (409
    `user-busy`) while one of their operations is unsettled; running it again after a failure
    finishes the job."""
    if not user_id.isprintable():
        # No user has such an id, and PostgreSQL cannot even compare text holding a NUL.
        raise refuse(UnknownUser(user_id))
    deleted = await app_state(request).studio.delete_user.execute(user_id)
    if isinstance(deleted, Failure):
        raise refuse(deleted.failure())
    return UserDeletionOut.of(deleted.unwrap())


@router.post("/storage/sweep", response_model=StorageSweepOut, responses=ADMIN_RESPONSES)
async def sweep_storage(request: Request) -> StorageSweepOut:
    """Delete every asset older than its owner's plan keeps assets (`retention_days`), now
    (the server also does it every IMAGESTUDIO_STORAGE_SWEEP_SECONDS)."""
    return StorageSweepOut.of(await app_state(request).studio.sweep_storage.execute())


@router.post("/storage/gc", response_model=GarbageOut, responses=ADMIN_RESPONSES)
async def collect_garbage(request: Request, body: GarbageIn | None = None) -> GarbageOut:
    """Remove stored bytes no asset names (left by a crash) once older than the margin, and
    report assets whose bytes are missing. Refused (409) where the asset library lives only in
    this process while the bytes are on disk or in S3."""
    state = app_state(request)
    settings = state.settings
    if settings.effective_database_url is None and settings.effective_storage.value != "memory":
        # Every stored file would look orphaned to a library that started empty with the process.
        raise ProblemError(
            Problem(
                status=409,
                slug="storage-gc-unavailable",
                title="Storage gc needs the asset library in a database",
                detail="this server keeps the asset library in its own memory but the bytes in "
                f"{settings.effective_storage.value} storage: every stored file would look "
                "orphaned; run it with a database profile",
                headers={"x-should-retry": "false"},
            )
        )
    chosen = body or GarbageIn()
    seconds = settings.gc_margin_seconds if chosen.margin_seconds is None else chosen.margin_seconds
    report = await state.studio.collect_garbage.execute(
        margin=timedelta(seconds=seconds), dry_run=chosen.dry_run
    )
    return GarbageOut.of(report)
