"""`imagestudio plans …`: list the plans, define one."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from imagestudio.domain.billing_period import BillingAnchor
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.limit import Limit
from imagestudio.domain.money import format_usd
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import Plan
from imagestudio.entrypoints.cli.groups import command_group
from imagestudio.entrypoints.cli.limits import (
    byte_limit,
    category_limit,
    count_limit,
    money_limit,
    rate_limit,
    retention_days,
)
from imagestudio.entrypoints.cli.options import Json
from imagestudio.entrypoints.cli.output import fail, line, print_json, table, unwrap_or_fail
from imagestudio.entrypoints.cli.studio import studio

plans_app = command_group("Subscription plans.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(plans_app, name="plans")


@plans_app.command("list")
def list_plans(json: Json = False) -> None:
    """List the plans and their limits per billing period."""
    plans = asyncio.run(studio().list_plans.execute())
    if json:
        print_json([plan_json(plan) for plan in plans])
        return
    show_plans("plans (limits per billing period)", plans)


@plans_app.command("set")
def set_plan(
    name: Annotated[str, typer.Argument(help="The plan's name; an existing plan is replaced.")],
    spend_cap: Annotated[
        str, typer.Option("--spend-cap", help="Dollars per billing period, or unlimited.")
    ],
    rate: Annotated[
        str, typer.Option("--rate", help="Requests per minute (60/min), or unlimited.")
    ],
    concurrency: Annotated[
        str, typer.Option("--concurrency", help="Operations at once, or unlimited.")
    ],
    limit: Annotated[
        list[str] | None,
        typer.Option(
            "--limit",
            help="Calls per billing period of one category: image-generation=100 (repeat it); "
            "a category left out is unlimited.",
        ),
    ] = None,
    anchor_day: Annotated[
        int, typer.Option("--anchor-day", help="The day of the month periods start on.")
    ] = 1,
    storage: Annotated[
        str,
        typer.Option("--storage", help="Asset bytes a user may keep (500MB, 2GB), or unlimited."),
    ] = "unlimited",
    retention: Annotated[
        str,
        typer.Option("--retention-days", help="Days assets are kept, or unlimited."),
    ] = "unlimited",
    json: Json = False,
) -> None:
    """Create a plan, or replace one: its users get the new limits at once; used stays used."""
    calls: dict[QuotaCategory, Limit] = {}
    for text in limit or []:
        parsed = category_limit(text)
        if isinstance(parsed, InvalidInput):
            fail(parsed, json)
        if parsed[0] in calls:  # the last one silently won: which did the operator mean?
            fail(InvalidInput("limit", f"{parsed[0].value} is given twice: give it once"), json)
        calls[parsed[0]] = parsed[1]
    if not 1 <= anchor_day <= 31:
        fail(InvalidInput("anchor day", f"{anchor_day}: a day of the month, 1 to 31"), json)
    plan = Plan(
        name=name,
        calls=calls,
        spend_cap=_or_fail(money_limit("spend cap", spend_cap), json),
        requests_per_minute=_or_fail(rate_limit("rate", rate), json),
        concurrent_operations=_or_fail(count_limit("concurrency", concurrency), json),
        anchor=BillingAnchor(anchor_day),
        storage_bytes=_or_fail(byte_limit("storage", storage), json),
        retention_days=_days_or_fail(retention_days("retention", retention), json),
    )
    defined = unwrap_or_fail(asyncio.run(studio().define_plan.execute(plan)), json)
    if json:
        print_json(plan_json(defined))
        return
    show_plans(f"plan {plan.name} set", [defined])


@plans_app.command("delete")
def delete_plan(
    name: Annotated[str, typer.Argument(help="The plan to delete.")],
    json: Json = False,
) -> None:
    """Delete a plan no user is on (move them first). A deleted reference plan stays deleted:
    the reference plans are only seeded when the database is created."""
    deleted = unwrap_or_fail(asyncio.run(studio().delete_plan.execute(name)), json)
    if json:
        print_json({"deleted": plan_json(deleted)})
        return
    line(f"deleted plan {deleted.name}")


def _or_fail(parsed: Limit | InvalidInput, as_json: bool) -> Limit:
    if isinstance(parsed, InvalidInput):
        fail(parsed, as_json)
    return parsed


def _days_or_fail(parsed: int | InvalidInput | None, as_json: bool) -> int | None:
    if isinstance(parsed, InvalidInput):
        fail(parsed, as_json)
    return parsed


def show_plans(title: str, plans: tuple[Plan, ...] | list[Plan]) -> None:
    table(
        title,
        [
            "plan",
            *(category.value for category in QuotaCategory),
            "spend cap",
            "requests/min",
            "concurrent",
            "period starts",
            "storage",
            "retention",
        ],
        [
            (
                plan.name,
                *(plan.calls_limit(category) for category in QuotaCategory),
                money_limit_text(plan.spend_cap),
                plan.requests_per_minute,
                plan.concurrent_operations,
                f"day {plan.anchor.day}",
                byte_limit_text(plan.storage_bytes),
                "unlimited" if plan.retention_days is None else f"{plan.retention_days} days",
            )
            for plan in plans
        ],
    )


def byte_limit_text(limit: Limit) -> str:
    if limit.maximum is None:
        return "unlimited"
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if limit.maximum >= size and limit.maximum % size == 0:
            return f"{limit.maximum // size} {unit}"
    return f"{limit.maximum} B"


def money_limit_text(limit: Limit) -> str:
    return "unlimited" if limit.maximum is None else format_usd(limit.maximum)


def plan_json(plan: Plan) -> dict[str, object]:
    return {
        "name": plan.name,
        "calls": {category.value: plan.calls_limit(category).maximum for category in QuotaCategory},
        "spend_cap_micros": plan.spend_cap.maximum,
        "requests_per_minute": plan.requests_per_minute.maximum,
        "concurrent_operations": plan.concurrent_operations.maximum,
        "anchor_day": plan.anchor.day,
        "monthly_price_micros": plan.monthly_price,
        "storage_bytes": plan.storage_bytes.maximum,
        "retention_days": plan.retention_days,
    }
