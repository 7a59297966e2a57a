"""`imagestudio budget …`: the operator's own monthly budget at each provider."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.money import format_usd
from imagestudio.domain.plan import OperatorBudget
from imagestudio.entrypoints.cli.groups import command_group
from imagestudio.entrypoints.cli.limits import money_limit
from imagestudio.entrypoints.cli.options import Json
from imagestudio.entrypoints.cli.output import fail, print_json, table, unwrap_or_fail
from imagestudio.entrypoints.cli.studio import studio

budget_app = command_group(
    "The operator's monthly budget at each provider (all users together).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(budget_app, name="budget")


@budget_app.command("set")
def set_budget(
    provider: Annotated[str, typer.Option("--provider", help="wavespeed, stability, …")],
    monthly: Annotated[
        str, typer.Option("--monthly", help="Dollars per calendar month, or unlimited.")
    ],
    json: Json = False,
) -> None:
    """Set the operator's monthly budget at a provider; it binds from the next request on."""
    limit = money_limit("monthly budget", monthly)
    if isinstance(limit, InvalidInput):
        fail(limit, json)
    budget = OperatorBudget(provider=provider, monthly=limit)
    unwrap_or_fail(asyncio.run(studio().set_budget.execute(budget)), json)
    if json:
        print_json({"provider": provider, "monthly_micros": limit.maximum})
        return
    shown = "unlimited" if limit.maximum is None else f"{format_usd(limit.maximum)} a month"
    typer.echo(f"budget at {provider}: {shown}")


@budget_app.command("list")
def list_budgets(json: Json = False) -> None:
    """Show each budget and this month's spend against it."""
    usages = asyncio.run(studio().list_budgets.execute())

    def show(micros: int | None) -> str:
        return "unlimited" if micros is None else format_usd(micros)

    if json:
        print_json(
            [
                {
                    "provider": usage.budget.provider,
                    "monthly_micros": usage.budget.monthly.maximum,
                    "used_micros": usage.spent.used,
                    "held_micros": usage.spent.held,
                    "remaining_micros": usage.remaining,
                    "resets_at": usage.month.end.isoformat(),
                }
                for usage in usages
            ]
        )
        return
    table(
        "operator budgets this month",
        ["provider", "monthly", "used", "held", "remaining", "resets at"],
        [
            (
                usage.budget.provider,
                show(usage.budget.monthly.maximum),
                show(usage.spent.used),
                show(usage.spent.held),
                show(usage.remaining),
                f"{usage.month.end:%Y-%m-%d %H:%M} UTC",
            )
            for usage in usages
        ],
        prose=("resets at",),
    )
