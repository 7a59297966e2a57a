"""`imagestudio storage …`: retention and garbage collection of stored assets."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated

import typer

from imagestudio.entrypoints.cli.groups import command_group
from imagestudio.entrypoints.cli.options import Json
from imagestudio.entrypoints.cli.output import print_json, table
from imagestudio.entrypoints.cli.studio import studio
from imagestudio.entrypoints.durations import MOST_SECONDS

storage_app = command_group("Asset storage upkeep: retention and garbage collection.")


def register(app: typer.Typer) -> None:
    app.add_typer(storage_app, name="storage", no_args_is_help=True)


@storage_app.command("sweep")
def sweep(json: Json = False) -> None:
    """Delete assets older than their owner's plan keeps them (`retention_days`)."""
    report = asyncio.run(studio().sweep_storage.execute())
    if json:
        print_json(
            {
                "deleted": report.deleted,
                "bytes_freed": report.bytes_freed,
                "owners_checked": report.owners_checked,
                "owners_without_plan": list(report.owners_without_plan),
            }
        )
        return
    typer.echo(
        f"deleted {report.deleted} asset(s), {report.bytes_freed} bytes, "
        f"past retention ({report.owners_checked} owner(s) checked)"
    )
    if report.owners_without_plan:
        typer.echo(
            "kept the assets of owners with no plan: " + ", ".join(report.owners_without_plan)
        )


@storage_app.command("gc")
def gc(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would be removed; remove nothing.")
    ] = False,
    margin: Annotated[
        float | None,
        typer.Option(
            "--margin-seconds",
            min=0,
            max=MOST_SECONDS,
            help="Leave bytes younger than this alone (default IMAGESTUDIO_GC_MARGIN_SECONDS).",
        ),
    ] = None,
    json: Json = False,
) -> None:
    """Remove stored bytes no asset names (left by a crash), and report assets whose bytes
    are missing."""
    started = studio()
    settings = started.container.settings()
    if settings.effective_database_url is None and settings.effective_storage.value != "memory":
        # The library lives in this process only: every stored file would look orphaned.
        typer.echo(
            "error: storage gc needs the asset library in a database (this profile keeps it in "
            "the process, so every stored file would look orphaned)",
            err=True,
        )
        raise typer.Exit(2)
    seconds = settings.gc_margin_seconds if margin is None else margin
    report = asyncio.run(
        started.collect_garbage.execute(margin=timedelta(seconds=seconds), dry_run=dry_run)
    )
    if json:
        print_json(
            {
                "dry_run": report.dry_run,
                "orphans": [
                    {
                        "owner": o.owner,
                        "id": o.asset_id,
                        "size_bytes": o.size_bytes,
                        "thumbnail": o.thumbnail,
                    }
                    for o in report.orphans
                ],
                "bytes_freed": report.bytes_freed,
                "young_orphans": report.young_orphans,
                "missing": [{"owner": m.owner, "id": m.asset_id} for m in report.missing],
            }
        )
        return
    verb = "would remove" if dry_run else "removed"
    typer.echo(f"{verb} {len(report.orphans)} orphaned object(s), {report.bytes_freed} bytes")
    if report.young_orphans:
        typer.echo(f"left {report.young_orphans} younger than the margin alone")
    if report.missing:
        table(
            "assets whose bytes are missing",
            ["owner", "id"],
            [(m.owner, m.asset_id) for m in report.missing],
        )
