"""`imagestudio webhooks …`: a user's webhook signing secret, shown and rotated."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer

from imagestudio.entrypoints.cli.groups import command_group
from imagestudio.entrypoints.cli.options import Json
from imagestudio.entrypoints.cli.output import fail, print_json
from imagestudio.entrypoints.cli.studio import studio, user_or_default

if TYPE_CHECKING:
    from imagestudio.entrypoints.api import ImageStudio

webhooks_app = command_group(
    "Completion webhooks: each user's signing secret (Standard Webhooks).", no_args_is_help=True
)
User = Annotated[
    str | None, typer.Option("--user", "-u", help="User id (default: the local user).")
]


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="webhooks")


@webhooks_app.command("secret")
def show_secret(user: User = None, json: Json = False) -> None:
    """Print the user's `whsec_…` secret (made on first use): verify each delivery's
    `webhook-signature` with it."""
    chosen = user_or_default(user)
    secret = asyncio.run(_secret(studio(), chosen, json, rotate=False))
    _show(chosen, secret, json)


@webhooks_app.command("rotate")
def rotate_secret(user: User = None, json: Json = False) -> None:
    """Give the user a new secret; deliveries from now on (retries too) are signed with it."""
    chosen = user_or_default(user)
    secret = asyncio.run(_secret(studio(), chosen, json, rotate=True))
    _show(chosen, secret, json)


async def _secret(built: ImageStudio, user: str, json: bool, *, rotate: bool) -> str:
    from returns.result import Failure

    known = await built.usage.execute(user)  # an unknown user is refused, as everywhere
    if isinstance(known, Failure):
        fail(known.failure(), json)
    secrets = built.webhook_secrets
    return await (secrets.rotate(user) if rotate else secrets.secret_for(user))


def _show(user: str, secret: str, json: bool) -> None:
    if json:
        print_json({"user": user, "secret": secret})
        return
    typer.echo(secret)
