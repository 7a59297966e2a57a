"""The caller's own ledger: its lines by page, its export, and spend per day (JSON or an SVG
chart drawn here). Every route reads only the caller's lines.

    GET /v1/usage/ledger       your lines, newest first (`cursor`, `limit`, `period`)
    GET /v1/usage/export       your lines finished in [since, until), CSV or JSON
    GET /v1/usage/daily        your charge per day of a billing period
    GET /v1/usage/daily.svg    the same as a bar chart (image/svg+xml)
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from returns.result import Failure

from imagestudio.application.use_cases.daily_spend import DailySpend
from imagestudio.application.use_cases.list_ledger import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.cli.limits import period_day
from imagestudio.entrypoints.http.auth import ProblemError, current_user
from imagestudio.entrypoints.http.ledger_export import (
    CSV_RESPONSE,
    SINCE,
    UNTIL,
    ExportFormat,
    exported,
)
from imagestudio.entrypoints.http.ledger_line_schema import LedgerLineOut
from imagestudio.entrypoints.http.operation_routes import RESPONSES
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.state import app_state
from imagestudio.entrypoints.http.studio_route import StudioRoute
from imagestudio.entrypoints.http.usage_schemas import DailySpendOut, LedgerPageOut
from imagestudio.entrypoints.spend_chart import spend_chart_svg

router = APIRouter(tags=["usage"], route_class=StudioRoute)
User = Annotated[str, Depends(current_user)]
PERIOD = (
    "`current`, or a day (2026-11-15): the billing period containing it, on your plan's anchor day."
)
SVG = "image/svg+xml"


@router.get("/v1/usage/ledger", response_model=LedgerPageOut, responses=RESPONSES)
async def list_ledger(
    request: Request,
    user: User,
    period: Annotated[str | None, Query(max_length=10, description=PERIOD)] = None,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> LedgerPageOut:
    """Your ledger lines (operations and adjustments), newest first; without `period`, of
    every period. Pass `next_cursor` back as `cursor`, with the same `period`."""
    day, current = _period_day(period)
    page = await app_state(request).studio.list_ledger.execute(
        user, cursor, limit, day, current_period=current
    )
    if isinstance(page, Failure):
        raise ProblemError(problem_for(page.failure()))
    return LedgerPageOut.of(page.unwrap())


@router.get(
    "/v1/usage/export",
    response_model=list[LedgerLineOut],
    responses={200: CSV_RESPONSE, **RESPONSES},
)
async def export_my_usage(
    request: Request,
    user: User,
    since: Annotated[str, Query(max_length=64, description=SINCE)],
    until: Annotated[str | None, Query(max_length=64, description=UNTIL)] = None,
    export_format: Annotated[ExportFormat, Query(alias="format")] = "csv",
) -> Response | list[LedgerLineOut]:
    """Your ledger lines finished in [since, until), as CSV (the columns of `imagestudio usage
    export`) or JSON."""
    return await exported(request, since, until, user, export_format, "my-usage.csv")


@router.get("/v1/usage/daily", response_model=DailySpendOut, responses=RESPONSES)
async def daily_spend(
    request: Request,
    user: User,
    period: Annotated[str | None, Query(max_length=10, description=PERIOD)] = None,
) -> DailySpendOut:
    """Your charge on each day of a billing period (this one by default), summed from the
    ledger, with your plan's spend cap."""
    return DailySpendOut.of(await _daily(request, user, period))


@router.get(
    "/v1/usage/daily.svg",
    response_class=Response,
    responses={
        200: {
            "description": "a bar chart of your charge per day, with a title and description",
            "content": {SVG: {"schema": {"type": "string"}}},
        },
        **RESPONSES,
    },
)
async def daily_spend_chart(
    request: Request,
    user: User,
    period: Annotated[str | None, Query(max_length=10, description=PERIOD)] = None,
) -> Response:
    """The same days as `/v1/usage/daily`, drawn as an accessible SVG bar chart (no script)."""
    spend = await _daily(request, user, period)
    first, last = spend.days[0].day, spend.days[-1].day
    svg = spend_chart_svg(spend.days, title=f"Spend per day, {first} to {last}")
    return Response(svg, media_type=SVG, headers={"cache-control": "private, no-cache"})


async def _daily(request: Request, user: str, period: str | None) -> DailySpend:
    day, _ = _period_day(period)  # no period: this one
    spend = await app_state(request).studio.daily_spend.execute(user, day)
    if isinstance(spend, Failure):
        raise ProblemError(problem_for(spend.failure()))
    return spend.unwrap()


def _period_day(text: str | None) -> tuple[date | None, bool]:
    """The day named and whether `current` was; anything else is refused (422, `period`)."""
    named = period_day(text)
    if isinstance(named, InvalidInput):
        raise ProblemError(problem_for(named))
    return named
