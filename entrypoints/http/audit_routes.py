"""The audit against the providers' books, behind the admin key (read-only):

    GET /v1/admin/audit/provider    our ledger matched with what each provider says it billed

It runs the use case `imagestudio audit provider` runs, with the same input rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from returns.result import Failure

from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.cli.audit_input import audit_request
from imagestudio.entrypoints.http.admin_refusals import ADMIN_RESPONSES, refuse
from imagestudio.entrypoints.http.audit_schemas import AuditReportOut
from imagestudio.entrypoints.http.auth import require_admin
from imagestudio.entrypoints.http.state import app_state
from imagestudio.entrypoints.http.studio_route import StudioRoute

router = APIRouter(
    prefix="/v1/admin",
    tags=["admin"],
    dependencies=[Depends(require_admin)],
    route_class=StudioRoute,
)


@router.get("/audit/provider", response_model=AuditReportOut, responses=ADMIN_RESPONSES)
async def audit_provider(
    request: Request,
    since: Annotated[
        str, Query(description="A day (2026-03-01) or a time (ISO 8601; UTC if bare).")
    ],
    until: Annotated[
        str | None, Query(description="A day (included) or a time (excluded); default: now.")
    ] = None,
    provider: Annotated[str | None, Query(description="One provider; default: every one.")] = None,
    opening_balance: Annotated[
        list[str] | None,
        Query(
            description="A balance-only provider's balance at `since`, as provider=dollars "
            "(wavespeed=12.50); repeat it per provider.",
            max_length=64,
        ),
    ] = None,
) -> AuditReportOut:
    """Match the ledger with each provider's own book over [since, until): task by task where
    the provider lists what it billed (by task id, then by model, price and time), totals
    where it shows a balance only (the report says which). Each difference comes with what to
    do about it. Writes nothing."""
    asked = audit_request(since, until, provider, opening_balance or [])
    if isinstance(asked, InvalidInput):
        raise refuse(asked)
    report = await app_state(request).studio.audit_provider.execute(asked)
    if isinstance(report, Failure):
        raise refuse(report.failure())
    return AuditReportOut.of(report.unwrap())
