"""`imagestudio db …`: the database schema."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import typer

from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.cli.groups import command_group
from imagestudio.entrypoints.cli.options import Json
from imagestudio.entrypoints.cli.output import fail, line, print_json
from imagestudio.entrypoints.cli.studio import studio, unstarted_studio

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

db_app = command_group("The database schema.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


def _engine_or_exit(as_json: bool) -> AsyncEngine:
    from imagestudio.entrypoints.builders import state_kind

    container = unstarted_studio().container
    if state_kind(container.settings()) == "memory":
        reason = "this profile keeps its state in memory: there is no database"
        fail(InvalidInput("IMAGESTUDIO_PROFILE", reason), as_json)
    return container.engine()


@db_app.command()
def upgrade(json: Json = False) -> None:
    """Create the schema, or bring it up to the version this imagestudio needs."""
    from imagestudio.adapters.sql import schema

    engine = _engine_or_exit(json)

    async def run() -> str | None:
        before = await schema.current_revision(engine)
        await schema.upgrade(engine)
        return before

    before = asyncio.run(run())
    head = schema.head_revision()
    if json:
        print_json({"before": before, "now": head, "upgraded": before != head})
    elif before == head:
        line(f"the schema is already current ({head})")
    else:
        line(f"schema upgraded from {before or 'nothing'} to {head}")


@db_app.command()
def sweep(json: Json = False) -> None:
    """Settle operations whose process died: release what was not sent, hold what was."""
    report = asyncio.run(studio().sweep.execute_all())
    if json:
        print_json(
            {
                "abandoned": list(report.abandoned),
                "unknown": list(report.unknown),
                "failed": list(report.failed),
                "ended": list(report.ended),
            }
        )
        return
    line(
        f"released {len(report.abandoned)} abandoned, left {len(report.unknown)} unknown for "
        f"reconciliation, failed {len(report.failed)} never reserved, ended "
        f"{len(report.ended)} whose fallback never came"
    )


@db_app.command()
def current(json: Json = False) -> None:
    """Show the schema revision of the database and the one this imagestudio needs."""
    from imagestudio.adapters.sql import schema

    engine = _engine_or_exit(json)
    found = asyncio.run(schema.current_revision(engine))
    needed = schema.head_revision()
    if json:
        print_json({"database": found, "needed": needed, "current": found == needed})
        return
    line(f"database: {found or 'no schema'}; needed: {needed}")
