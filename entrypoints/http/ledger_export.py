"""A ledger export answered over HTTP: the span read as `imagestudio usage export` reads it, the
lines as CSV (`text/csv`, the CLI's columns) or JSON. The admin's export of every user and a
user's export of their own share it."""

from __future__ import annotations

from typing import Literal

from fastapi import Request, Response
from returns.result import Failure

from imagestudio.application.use_cases.export_usage import UsageExport
from imagestudio.entrypoints.http.asset_routes import query_moment
from imagestudio.entrypoints.http.auth import ProblemError
from imagestudio.entrypoints.http.ledger_line_schema import LedgerLineOut
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.state import app_state
from imagestudio.entrypoints.ledger_columns import ledger_csv

ExportFormat = Literal["csv", "json"]
CSV_RESPONSE = {"content": {"text/csv": {"schema": {"type": "string"}}}}
SINCE = "A day (2026-03-01) or a time (ISO 8601; UTC if bare)."
UNTIL = "A day (included) or a time (excluded); default: now."


async def exported(
    request: Request,
    since: str,
    until: str | None,
    user: str | None,
    export_format: ExportFormat,
    filename: str = "usage.csv",
) -> Response | list[LedgerLineOut]:
    """The lines finished in [since, until) of `user` (None: everyone's), in `export_format`."""
    # In UTC here, as the listings read theirs: a zone at the calendar's edge is refused by
    # name rather than overflowing where the database is asked.
    start = query_moment("since", since)
    assert start is not None
    end = query_moment("until", until, day_end=True)
    lines = await app_state(request).studio.export_usage.execute(
        UsageExport(since=start, until=end, user_id=user)
    )
    if isinstance(lines, Failure):
        raise ProblemError(problem_for(lines.failure()))
    if export_format == "json":
        return [LedgerLineOut.of(line) for line in lines.unwrap()]
    return Response(
        ledger_csv(lines.unwrap()),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
