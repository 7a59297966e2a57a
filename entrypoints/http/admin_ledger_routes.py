"""The admin API's ledger: adjust a charge, export the lines."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response
from returns.result import Failure

from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.http.adjustment_schemas import AdjustmentIn, AdjustmentOut
from imagestudio.entrypoints.http.admin_refusals import ADMIN_RESPONSES, admin_router, refuse
from imagestudio.entrypoints.http.ledger_export import (
    CSV_RESPONSE,
    SINCE,
    UNTIL,
    ExportFormat,
    exported,
)
from imagestudio.entrypoints.http.ledger_line_schema import LedgerLineOut
from imagestudio.entrypoints.http.state import app_state

router = admin_router()


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
