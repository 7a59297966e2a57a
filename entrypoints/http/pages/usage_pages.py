"""`/usage`: the signed-in user's usage this period as bars (the `ReadUsage` rows `GET /v1/usage`
answers), spend per day drawn on the server as SVG, their ledger newest first (by period, "More"
by cursor) and `/usage/export`, their own lines as CSV (cookie-authenticated, no bearer)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup
from returns.result import Failure

from imagestudio.application.use_cases.export_usage import UsageExport
from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.cli.limits import period_day
from imagestudio.entrypoints.http.pages.page_errors import PageProblem
from imagestudio.entrypoints.http.pages.page_route import PageRoute
from imagestudio.entrypoints.http.pages.templating import render
from imagestudio.entrypoints.http.pages.usage_bars import usage_bar
from imagestudio.entrypoints.http.pages.visits import UserVisit
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.state import app_state
from imagestudio.entrypoints.ledger_columns import ledger_csv
from imagestudio.entrypoints.spend_chart import spend_chart_svg

router = APIRouter(include_in_schema=False, route_class=PageRoute)
LEDGER_PAGE = 25
Period = Annotated[str | None, Query(max_length=10)]


def _period(text: str | None) -> date | None:
    """The day whose billing period is shown (None: this one); anything else is refused."""
    named = period_day(text)
    if isinstance(named, InvalidInput):
        raise PageProblem(problem_for(named))
    return named[0]


@router.get("/usage")
async def usage_page(
    request: Request,
    visit: UserVisit,
    period: Period = None,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> Response:
    studio = app_state(request).studio
    day = _period(period)
    spend = await studio.daily_spend.execute(visit.user_id, day)
    if isinstance(spend, Failure):
        raise PageProblem(problem_for(spend.failure()))
    daily = spend.unwrap()
    ledger = await studio.list_ledger.execute(
        visit.user_id, cursor, LEDGER_PAGE, daily.period.start.date()
    )
    if isinstance(ledger, Failure):
        raise PageProblem(problem_for(ledger.failure()))
    # The bars are of now (what binds the next request); an earlier period shows its days and lines.
    usage = await studio.usage.execute(visit.user_id)
    if isinstance(usage, Failure):
        raise PageProblem(problem_for(usage.failure()))
    report = usage.unwrap()
    first, last = daily.days[0].day, daily.days[-1].day
    chart = spend_chart_svg(daily.days, title=f"Spend per day, {first} to {last}")
    return render(
        request,
        "usage.html",
        report=report,
        bars=[usage_bar(row) for row in report.rows],
        spend=next(usage_bar(row) for row in report.rows if row.is_money),
        daily=daily,
        spent=sum(d.charge for d in daily.days),
        chart=Markup(chart),
        ledger=ledger.unwrap(),
        period_key=daily.period.key,
        shown_period=period,
        earlier=daily.period.start.date() - timedelta(days=1),
    )


@router.get("/usage/export")
async def export_page(request: Request, visit: UserVisit, period: Period = None) -> Response:
    """The user's own ledger lines of one billing period as CSV (the columns of `imagestudio
    usage export`)."""
    studio = app_state(request).studio
    spend = await studio.daily_spend.execute(visit.user_id, _period(period))
    if isinstance(spend, Failure):
        raise PageProblem(problem_for(spend.failure()))
    span = spend.unwrap().period
    lines = await studio.export_usage.execute(
        UsageExport(since=span.start, until=span.end, user_id=visit.user_id)
    )
    if isinstance(lines, Failure):
        raise PageProblem(problem_for(lines.failure()))
    return Response(
        ledger_csv(lines.unwrap()),
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="usage-{span.key}.csv"',
            "cache-control": "no-store",
        },
    )
