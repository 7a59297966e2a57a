"""`imagestudio usage`: a user's usage this period; `usage export`: the ledger as CSV or JSON."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.money import format_usd
from imagestudio.entrypoints.cli.groups import command_group
from imagestudio.entrypoints.cli.limits import export_moment, period_day
from imagestudio.entrypoints.cli.options import Json
from imagestudio.entrypoints.cli.output import fail, print_json, table, unwrap_or_fail
from imagestudio.entrypoints.cli.studio import studio, user_or_default
from imagestudio.entrypoints.ledger_columns import ledger_csv, line_json

if TYPE_CHECKING:
    from imagestudio.application.use_cases.usage import UsageReport

User = Annotated[str | None, typer.Option("--user", "-u")]
usage_app = command_group(
    "A user's usage this billing period, and the ledger's export.",
    invoke_without_command=True,
)


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


def register(app: typer.Typer) -> None:
    app.add_typer(usage_app, name="usage")


@usage_app.callback()
def usage(ctx: typer.Context, user: User = None, json: Json = False) -> None:
    """Show a user's usage for the current billing period (`usage export` for the ledger)."""
    if ctx.invoked_subcommand is not None:
        return
    report = unwrap_or_fail(asyncio.run(studio().usage.execute(user_or_default(user))), json)
    if json:
        print_json(_report_json(report))
        return
    _show_report(report)


def _show(unit: str, value: int | None) -> str:
    if value is None:
        return "unlimited"
    if unit == "micro-usd":
        return format_usd(value)
    return byte_size(value) if unit == "bytes" else str(value)


def byte_size(count: int) -> str:
    """Bytes as people read them: 196057 → 191.5 KB (binary units, as plans are set)."""
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} B"


def _report_json(report: UsageReport) -> dict[str, object]:
    return {
        "user": report.user_id,
        "plan": report.plan,
        "retention_days": report.retention_days,
        "period": {"start": report.period.start.isoformat(), "end": report.period.end.isoformat()},
        "rows": [
            {
                "name": row.name,
                "used": row.used,
                "held": row.held,
                "limit": row.limit.maximum,
                "remaining": row.remaining,
                "resets_at": row.resets_at.isoformat() if row.resets_at else None,
                "unit": row.unit,
            }
            for row in report.rows
        ],
        "alerts": [
            {
                "dimension": alert.dimension,
                "threshold_percent": alert.threshold,
                "used": alert.used,
                "limit": alert.limit,
                "at": alert.at.isoformat(),
                "unit": "micro-usd" if alert.is_money else "count",
            }
            for alert in report.alerts
        ],
    }


def _show_report(report: UsageReport) -> None:
    table(
        f"usage of {report.user_id} on plan {report.plan}, "
        f"{report.period.start:%Y-%m-%d} to {report.period.end:%Y-%m-%d}",
        ["category", "used", "held", "limit", "remaining", "resets at"],
        [
            (
                row.name,
                _show(row.unit, row.used),
                _show(row.unit, row.held),
                _show(row.unit, row.limit.maximum),
                _show(row.unit, row.remaining),
                f"{row.resets_at:%Y-%m-%d %H:%M} UTC" if row.resets_at else "-",
            )
            for row in report.rows
        ],
        prose=("resets at",),
    )
    for alert in report.alerts:
        typer.echo(f"alert {alert.at:%Y-%m-%d %H:%M} UTC: {alert.message}")
    if report.retention_days is not None:
        typer.echo(f"assets are kept {report.retention_days} days (plan {report.plan})")


@usage_app.command("export")
def export(
    since: Annotated[
        str, typer.Option("--since", help="A day (2026-03-01) or a time (ISO 8601; UTC if bare).")
    ],
    until: Annotated[
        str | None,
        typer.Option("--until", help="A day (included) or a time (excluded); default: now."),
    ] = None,
    export_format: Annotated[
        ExportFormat, typer.Option("--format", help="csv or json.")
    ] = ExportFormat.CSV,
    user: Annotated[str | None, typer.Option("--user", "-u", help="Default: every user.")] = None,
) -> None:
    """Print the ledger's lines (operations and adjustments) finished in a span of time."""
    from imagestudio.application.use_cases.export_usage import UsageExport

    as_json = export_format is ExportFormat.JSON
    request = UsageExport(
        since=_moment("since", since, as_json),
        until=None if until is None else _moment("until", until, as_json, day_end=True),
        user_id=user,
    )
    exported = unwrap_or_fail(asyncio.run(studio().export_usage.execute(request)), as_json)
    if as_json:
        print_json([line_json(line) for line in exported])
        return
    sys.stdout.write(ledger_csv(exported))


def _moment(field: str, text: str, as_json: bool, *, day_end: bool = False) -> datetime:
    """A day means its start (or, for `until`, the next day's start: the day is included)."""
    moment = export_moment(field, text, day_end=day_end)
    if isinstance(moment, InvalidInput):
        fail(moment, as_json)
    return moment


@usage_app.command("daily")
def daily(
    period: Annotated[
        str | None,
        typer.Option("--period", help="A day (2026-11-15): its billing period; default: this one."),
    ] = None,
    user: User = None,
    json: Json = False,
) -> None:
    """A user's charge on each day (UTC) of a billing period, from the ledger."""
    named = period_day(period)
    if isinstance(named, InvalidInput):
        fail(named, json)
    spend = unwrap_or_fail(
        asyncio.run(studio().daily_spend.execute(user_or_default(user), named[0])), json
    )
    if json:
        print_json(
            {
                "user": spend.user_id,
                "plan": spend.plan,
                "period": {
                    "start": spend.period.start.isoformat(),
                    "end": spend.period.end.isoformat(),
                },
                "total_micros": spend.total,
                "spend_cap_micros": spend.spend_cap,
                "days": [
                    {"day": d.day.isoformat(), "charge_micros": d.charge, "lines": d.lines}
                    for d in spend.days
                ],
            }
        )
        return
    cap = "" if spend.spend_cap is None else f" of a {format_usd(spend.spend_cap)} cap"
    table(
        f"spend of {spend.user_id} per day, {spend.period.start:%Y-%m-%d} to "
        f"{spend.period.end:%Y-%m-%d}: {format_usd(spend.total)}{cap}",
        ["day", "charge", "lines"],
        [(d.day.isoformat(), format_usd(d.charge), d.lines) for d in spend.days],
    )
