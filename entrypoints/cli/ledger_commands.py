"""`imagestudio ledger …`: corrections, each a ledger line of its own."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.money import format_usd
from imagestudio.entrypoints.cli.groups import command_group
from imagestudio.entrypoints.cli.limits import dollars
from imagestudio.entrypoints.cli.options import Json
from imagestudio.entrypoints.cli.output import fail, print_json, unwrap_or_fail
from imagestudio.entrypoints.cli.studio import studio

ledger_app = command_group("The cost ledger.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(ledger_app, name="ledger")


@ledger_app.command("adjust")
def adjust(
    user: Annotated[str, typer.Option("--user", "-u", help="Whose charge.")],
    amount: Annotated[
        str, typer.Option("--amount", help="Dollars added to the charge; negative is a refund.")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why, kept in the ledger.")],
    json: Json = False,
) -> None:
    """Refund or correct a user's charge this period: a new ledger line, never an edit."""
    from imagestudio.application.use_cases.adjust_charge import Adjustment

    micros = dollars("amount", amount)  # as the admin API reads it
    if isinstance(micros, InvalidInput):
        fail(micros, json)
    adjustment = Adjustment(user_id=user, amount=micros, reason=reason)
    adjusted = asyncio.run(studio().adjust_charge.execute(adjustment))
    done = unwrap_or_fail(adjusted, json)
    if json:
        print_json(
            {
                "line": done.line.operation_id,
                "user": user,
                "amount_micros": micros,
                "amount_usd": format_usd(micros),
                "billing_period": done.line.billing_period,
                "spend_used_micros": done.spend.used,
            }
        )
        return
    what = "refunded" if micros < 0 else "charged"
    typer.echo(
        f"{what} {format_usd(abs(micros))} to {user} (ledger line {done.line.operation_id}); "
        f"spend this period is now {format_usd(done.spend.used)}"
    )
