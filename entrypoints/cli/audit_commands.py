"""`imagestudio audit provider`: our ledger against each provider's own book (read-only)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer

from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.cli.groups import command_group
from imagestudio.entrypoints.cli.options import Json
from imagestudio.entrypoints.cli.output import fail, money, print_json, unwrap_or_fail
from imagestudio.entrypoints.cli.studio import studio

if TYPE_CHECKING:
    from imagestudio.application.audit.report import AuditReport, ProviderAudit

EXIT_DIFFERENCES = 8
"""The audit ran and found differences (as `diff` says so by its exit code)."""

audit_app = command_group("Check our books against the providers' own.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


@audit_app.command("provider")
def provider(
    since: Annotated[
        str, typer.Option("--since", help="A day (2026-03-01) or a time (ISO 8601; UTC if bare).")
    ],
    until: Annotated[
        str | None,
        typer.Option("--until", help="A day (included) or a time (excluded); default: now."),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--provider", help="One provider; default: every one.")
    ] = None,
    opening: Annotated[
        list[str] | None,
        typer.Option(
            "--opening-balance",
            help="A balance-only provider's balance at --since, as provider=dollars "
            "(wavespeed=12.50); repeat it per provider.",
        ),
    ] = None,
    json: Json = False,
) -> None:
    """Match the ledger with what each provider says it billed, and list every difference
    with what to do about it. Writes nothing; exits 8 when there are differences."""
    # The JSON is the HTTP API's own schema (pydantic): imported here, not at start-up.
    from imagestudio.entrypoints.cli.audit_input import audit_request
    from imagestudio.entrypoints.http.audit_schemas import AuditReportOut

    request = audit_request(since, until, name, opening or [])
    if isinstance(request, InvalidInput):
        fail(request, json)
    report = unwrap_or_fail(asyncio.run(studio().audit_provider.execute(request)), json)
    if json:
        print_json(AuditReportOut.of(report).model_dump(mode="json"))
    else:
        _print(report)
    if report.differences:
        raise typer.Exit(EXIT_DIFFERENCES)


def _print(report: AuditReport) -> None:
    typer.echo(f"audit from {report.since.isoformat()} to {report.until.isoformat()}")
    if not report.providers:
        typer.echo("no provider with a book to audit in this profile")
    for audit in report.providers:
        _print_provider(audit)
    count = len(report.differences)
    typer.echo(f"\n{count} difference(s)" if count else "\nno differences")


def _print_provider(audit: ProviderAudit) -> None:
    billed = "" if audit.billed_cost is None else f", billed {money(audit.billed_cost)}"
    typer.echo(
        f"\n{audit.provider} [{audit.method}]: {audit.lines} line(s), recorded "
        f"{money(audit.recorded_cost)}{billed}"
    )
    typer.echo(f"  {audit.method_note}")
    for difference in audit.differences:
        typer.echo(f"  - {difference.kind}: {difference.detail}")
        typer.echo(f"    what to do: {difference.action}")
    for unbilled in audit.unbilled:
        typer.echo(
            f"  (operation {unbilled.operation_id}: a possible cost of {money(unbilled.amount)} "
            "was never billed; the call never reached the provider: nothing to do)"
        )
