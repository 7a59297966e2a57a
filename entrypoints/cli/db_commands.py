"""`imagestudio db …`: the database schema."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import typer

from imagestudio.entrypoints.cli.groups import command_group
from imagestudio.entrypoints.cli.output import print_json
from imagestudio.entrypoints.cli.studio import studio, unstarted_studio

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

db_app = command_group("The database schema.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


def _engine_or_exit() -> AsyncEngine:
    from imagestudio.entrypoints.builders import state_kind

    container = unstarted_studio().container
    if state_kind(container.settings()) == "memory":
        typer.echo("this profile keeps its state in memory: there is no database", err=True)
        raise typer.Exit(2)
    return container.engine()


@db_app.command()
def upgrade() -> None:
    """Create the schema, or bring it up to the version this imagestudio needs."""
    from imagestudio.adapters.sql import schema

    engine = _engine_or_exit()

    async def run() -> str | None:
        before = await schema.current_revision(engine)
        await schema.upgrade(engine)
        return before

    before = asyncio.run(run())
    head = schema.head_revision()
    if before == head:
        typer.echo(f"the schema is already current ({head})")
    else:
        typer.echo(f"schema upgraded from {before or 'nothing'} to {head}")


@db_app.command()
def sweep(json: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")) -> None:
    """Settle operations whose process died: release what was not sent, hold what was."""
    report = asyncio.run(studio().sweep.execute())
    if json:
        print_json(
            {
                "abandoned": list(report.abandoned),
                "unknown": list(report.unknown),
                "failed": list(report.failed),
            }
        )
        return
    typer.echo(
        f"released {len(report.abandoned)} abandoned, left {len(report.unknown)} unknown for "
        f"reconciliation, failed {len(report.failed)} never reserved"
    )


@db_app.command()
def current() -> None:
    """Show the schema revision of the database and the one this imagestudio needs."""
    from imagestudio.adapters.sql import schema

    engine = _engine_or_exit()
    found = asyncio.run(schema.current_revision(engine))
    typer.echo(f"database: {found or 'no schema'}; needed: {schema.head_revision()}")
