"""`imagestudio users …` and `imagestudio keys …`: who may call, on which plan, with which key."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer

from imagestudio.domain.money import format_usd
from imagestudio.entrypoints.cli.groups import command_group
from imagestudio.entrypoints.cli.options import Json
from imagestudio.entrypoints.cli.output import print_json, table, unwrap_or_fail
from imagestudio.entrypoints.cli.studio import studio

if TYPE_CHECKING:
    from imagestudio.application.key_issuing import IssuedKey
    from imagestudio.domain.api_key import ApiKey

users_app = command_group("Users and their plans.", no_args_is_help=True)
keys_app = command_group("API keys (only their hashes are stored).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.add_typer(keys_app, name="keys")


@users_app.command("add")
def add_user(
    user_id: Annotated[str, typer.Argument(metavar="ID", help="The new user's id.")],
    plan: Annotated[str, typer.Option("--plan", help="The plan they are on.")],
    json: Json = False,
) -> None:
    """Add a user on a plan and print their API key, this once."""
    issued = unwrap_or_fail(asyncio.run(studio().add_user.execute(user_id, plan)), json)
    if json:
        print_json({"user": user_id, "plan": plan, **_issued_json(issued)})
        return
    typer.echo(f"added user {user_id} on plan {plan}")
    _show_issued(issued)


@users_app.command("list")
def list_users(json: Json = False) -> None:
    """List the users: plan, when added, keys (live of all) and spend this period."""
    users = unwrap_or_fail(asyncio.run(studio().list_users.execute()), json).items
    if json:
        print_json(
            [
                {
                    "user": user.user_id,
                    "plan": user.plan,
                    "created_at": user.created_at and user.created_at.isoformat(),
                    "keys": user.keys,
                    "live_keys": user.live_keys,
                    "spend_micros": user.spend,
                    "spend_cap_micros": user.spend_cap,
                }
                for user in users
            ]
        )
        return
    table(
        "users",
        ["user", "plan", "added", "keys", "spend this period"],
        [
            (
                user.user_id,
                user.plan,
                f"{user.created_at:%Y-%m-%d}" if user.created_at else "-",
                f"{user.live_keys} of {user.keys}",
                format_usd(user.spend)
                + ("" if user.spend_cap is None else f" of {format_usd(user.spend_cap)}"),
            )
            for user in users
        ],
    )


@users_app.command("set-plan")
def set_plan(
    user_id: Annotated[str, typer.Argument(metavar="ID")],
    plan: Annotated[str, typer.Argument(metavar="PLAN")],
    json: Json = False,
) -> None:
    """Move a user to another plan, now; what they used this period stays used."""
    unwrap_or_fail(asyncio.run(studio().change_plan.execute(user_id, plan)), json)
    if json:
        print_json({"user": user_id, "plan": plan})
        return
    typer.echo(f"user {user_id} is on plan {plan} from now on")


@users_app.command("delete")
def delete_user(
    user_id: Annotated[str, typer.Argument(metavar="ID")],
    json: Json = False,
) -> None:
    """Delete a user: their assets, keys, operations and quota. Their ledger lines stay, under
    a tombstone id, so every total still adds up. Not the default user
    (IMAGESTUDIO_DEFAULT_USER), whom the next command would make again: set another first."""
    done = unwrap_or_fail(asyncio.run(studio().delete_user.execute(user_id)), json)
    erased = done.erased
    if json:
        print_json(
            {
                "user": user_id,
                "tombstone": done.tombstone,
                "assets_deleted": done.assets_deleted,
                "bytes_freed": done.bytes_freed,
                "ledger_lines_kept": erased.ledger_lines_kept,
                "operations_deleted": erased.operations_deleted,
                "keys_deleted": erased.keys_deleted,
            }
        )
        return
    typer.echo(
        f"deleted user {user_id}: {done.assets_deleted} asset(s) ({done.bytes_freed} bytes), "
        f"{erased.operations_deleted} operation(s), {erased.keys_deleted} key(s); "
        f"{erased.ledger_lines_kept} ledger line(s) kept as {done.tombstone}"
    )


@keys_app.command("rotate")
def rotate(
    user_id: Annotated[str, typer.Argument(metavar="ID")],
    json: Json = False,
) -> None:
    """Revoke a user's keys and print a new one, this once."""
    rotated = unwrap_or_fail(asyncio.run(studio().rotate_key.execute(user_id)), json)
    if json:
        print_json(
            {
                "user": user_id,
                **_issued_json(rotated.issued),
                "revoked": [key.id for key in rotated.revoked],
            }
        )
        return
    typer.echo(f"revoked {len(rotated.revoked)} key(s) of {user_id}")
    _show_issued(rotated.issued)


@keys_app.command("revoke")
def revoke(
    key: Annotated[str, typer.Argument(metavar="KEY", help="The key, its id or its prefix.")],
    json: Json = False,
) -> None:
    """Revoke one API key: it stops working at once."""
    revoked = unwrap_or_fail(asyncio.run(studio().revoke_key.execute(key)), json)
    if json:
        print_json(_key_json(revoked))
        return
    typer.echo(f"revoked key {revoked.id} ({revoked.prefix}…) of {revoked.user_id}")


@keys_app.command("list")
def list_keys(
    user_id: Annotated[str, typer.Argument(metavar="ID")],
    json: Json = False,
) -> None:
    """List a user's keys by id and prefix (the keys themselves are never stored)."""
    keys = unwrap_or_fail(asyncio.run(studio().list_keys.execute(user_id)), json)
    if json:
        print_json([_key_json(key) for key in keys])
        return
    table(
        f"API keys of {user_id}",
        ["id", "prefix", "created", "revoked"],
        [
            (
                key.id,
                f"{key.prefix}…",
                f"{key.created_at:%Y-%m-%d %H:%M} UTC",
                f"{key.revoked_at:%Y-%m-%d %H:%M} UTC" if key.revoked_at else "-",
            )
            for key in keys
        ],
        prose=("created", "revoked"),
    )


def _show_issued(issued: IssuedKey) -> None:
    typer.echo(f"API key (shown only now; keep it safe): {issued.secret}")
    typer.echo(f"key id {issued.key.id}, shown as {issued.key.prefix}…")


def _issued_json(issued: IssuedKey) -> dict[str, object]:
    return {"api_key": issued.secret, "key_id": issued.key.id, "prefix": issued.key.prefix}


def _key_json(key: ApiKey) -> dict[str, object]:
    return {
        "id": key.id,
        "user": key.user_id,
        "prefix": key.prefix,
        "created_at": key.created_at.isoformat(),
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }
