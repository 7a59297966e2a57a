"""`imagestudio operations list|show`: your operations, what each still holds of your plan and
what it waits for (the same lines end `imagestudio reconcile`)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.operation_query import OperationQuery, statuses_asked
from imagestudio.entrypoints.cli.groups import command_group
from imagestudio.entrypoints.cli.moment_option import moment
from imagestudio.entrypoints.cli.options import Json
from imagestudio.entrypoints.cli.output import line, money, print_json, table, unwrap_or_fail
from imagestudio.entrypoints.cli.studio import studio, user_or_default

if TYPE_CHECKING:
    from imagestudio.application.operation_views import Held, OperationView
    from imagestudio.application.operation_waits import Wait

operations_app = command_group("Your operations: status, what each holds, what it waits for.")
User = Annotated[
    str | None, typer.Option("--user", "-u", help="User id (default: the local user).")
]


def register(app: typer.Typer) -> None:
    app.add_typer(operations_app, name="operations", no_args_is_help=True)


@operations_app.command("list")
def list_operations(
    status: Annotated[
        list[OperationStatus] | None,
        typer.Option("--status", help="Only in this status (repeat it for several)."),
    ] = None,
    unfinished: Annotated[
        bool, typer.Option("--unfinished", help="Only those not final: what may still hold.")
    ] = False,
    kind: Annotated[
        OperationKind | None, typer.Option("--kind", help="Only this operation kind.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Created at or after (2026-11-01 or ISO time).")
    ] = None,
    before: Annotated[
        str | None, typer.Option("--before", help="Created before (date or time).")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", help="Operations per page, 1-200.")
    ] = None,
    cursor: Annotated[
        str | None, typer.Option("--cursor", help="A previous page's next cursor.")
    ] = None,
    user: User = None,
    json: Json = False,
) -> None:
    """List your operations, newest first: status, charge, what each holds, what it waits for."""
    query = OperationQuery(
        statuses=statuses_asked(status or (), unfinished=unfinished),
        kind=kind,
        created_from=moment("--since", since, json),
        created_before=moment("--before", before, json),
    )
    listing, owner = studio().list_operations, user_or_default(user)
    work = (
        listing.execute(owner, cursor, query=query)  # the use case's page size
        if limit is None
        else listing.execute(owner, cursor, limit, query)
    )
    page = unwrap_or_fail(asyncio.run(work), json)
    if json:
        print_json({"items": [view_json(v) for v in page.items], "next_cursor": page.next_cursor})
        return
    table(
        "operations",
        ["id", "created", "status", "kind", "model", "charged", "holds", "waits for", "next"],
        [
            (
                v.operation.id,
                v.operation.created_at.strftime("%Y-%m-%d %H:%M"),
                v.operation.status.value,
                v.operation.kind.value,
                v.operation.model_id,
                money(v.operation.charged),
                held_text(v.held),
                "-" if v.wait is None else v.wait.reason.value,
                "-" if v.wait is None else v.wait.next_at.strftime("%Y-%m-%d %H:%M:%S"),
            )
            for v in page.items
        ],
        prose=("created", "holds", "next"),
    )
    if page.next_cursor is not None:
        line(f"more: --cursor {page.next_cursor}")


@operations_app.command("show")
def show(
    operation_id: Annotated[str, typer.Argument(metavar="ID", help="The operation's id.")],
    user: User = None,
    json: Json = False,
) -> None:
    """Everything about one operation: state, charge, what it holds, what it waits for."""
    view = unwrap_or_fail(
        asyncio.run(studio().show_operation.execute(user_or_default(user), operation_id)), json
    )
    if json:
        print_json(view_json(view))
        return
    fields = view_json(view)
    for name in ("id", "status", "kind", "model", "provider", "created_at", "updated_at"):
        typer.echo(f"{name:>11}: {fields[name]}")
    typer.echo(f"{'charged':>11}: {fields['charged_usd']}")
    if view.operation.error:
        typer.echo(f"{'error':>11}: {view.operation.error}")
    if view.operation.asset_ids:
        typer.echo(f"{'assets':>11}: {', '.join(view.operation.asset_ids)}")
    typer.echo(f"{'holds':>11}: {held_text(view.held)}")
    typer.echo(f"{'waits for':>11}: {'nothing (final)' if view.wait is None else view.wait.detail}")


def waiting_lines(views: Sequence[OperationView]) -> list[str]:
    """One line per unfinished operation: whose, what it holds, what it waits for."""
    return [
        f"{v.operation.id} ({v.operation.user_id}, {v.operation.status.value}): "
        f"holds {held_text(v.held)}; {'-' if v.wait is None else v.wait.detail}"
        for v in views
    ]


def held_text(held: Held | None) -> str:
    if held is None:
        return "nothing"
    calls = "call" if held.outputs == 1 else "calls"
    return (
        f"{held.outputs} {held.category} {calls}, {money(held.spend)} of spend, "
        f"{held.concurrency} concurrent"
    )


def view_json(view: OperationView) -> dict[str, Any]:
    operation = view.operation
    return {
        "id": operation.id,
        "user_id": operation.user_id,
        "status": operation.status.value,
        "kind": operation.kind.value,
        "model": operation.model_id,
        "provider": operation.provider,
        "created_at": operation.created_at.isoformat(),
        "updated_at": operation.updated_at.isoformat(),
        "charged_micros": operation.charged,
        "charged_usd": money(operation.charged),
        "error": operation.error,
        "asset_ids": list(operation.asset_ids),
        "held": None if view.held is None else held_json(view.held),
        "waiting": None if view.wait is None else wait_json(view.wait),
    }


def held_json(held: Held) -> dict[str, Any]:
    return {
        "category": held.category.value,
        "outputs": held.outputs,
        "spend_micros": held.spend,
        "spend_usd": money(held.spend),
        "concurrency": held.concurrency,
    }


def wait_json(wait: Wait) -> dict[str, Any]:
    return {
        "reason": wait.reason.value,
        "detail": wait.detail,
        "next_at": wait.next_at.isoformat(),
        "until": None if wait.until is None else wait.until.isoformat(),
        "task_ids": list(wait.task_ids),
    }
