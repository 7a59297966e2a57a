"""`imagestudio providers check`, `imagestudio reconcile` and `imagestudio serve`."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from imagestudio.application.round_limit import MOST_IN_A_ROUND
from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.cli.errors import EXIT_UNEXPECTED
from imagestudio.entrypoints.cli.groups import command_group
from imagestudio.entrypoints.cli.operations_commands import view_json, waiting_lines
from imagestudio.entrypoints.cli.options import Json
from imagestudio.entrypoints.cli.output import fail, print_json, table
from imagestudio.entrypoints.cli.studio import studio

providers_app = command_group("The image providers this profile enables.", no_args_is_help=True)
MOST_RECONCILED = MOST_IN_A_ROUND
"""The most operations one `reconcile` reports on."""


def register(app: typer.Typer) -> None:
    app.add_typer(providers_app, name="providers")
    app.command()(reconcile)
    app.command()(serve)


def serve(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="0: any free port.")] = 8000,
) -> None:
    """Serve the HTTP API and the studio pages (with the sweeper and reconciler running in the
    background). On the local profile, print a one-time sign-in link for the default user."""
    import uvicorn

    from imagestudio.entrypoints.cli.listening import bound_port, listening_socket
    from imagestudio.entrypoints.http.app import create_app
    from imagestudio.entrypoints.settings import Profile, Settings

    settings = Settings()
    listener = listening_socket(host, port)
    if isinstance(listener, InvalidInput):
        fail(listener, False)
    port = bound_port(listener)
    if settings.profile is Profile.LOCAL:
        from imagestudio.entrypoints.sign_in_link import print_sign_in_link

        print_sign_in_link(settings, host, port)
    else:
        from imagestudio.entrypoints.sign_in_link import link_host

        # Flushed now: whoever started the server reads where it is before it stops.
        print(f"serving on http://{link_host(host)}:{port}", flush=True)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings),
            timeout_graceful_shutdown=int(settings.http_shutdown_grace_seconds) + 5,
            # Idle connections outlive clients' own keep-alive (httpx: 5 s), so a client never
            # sends a request on a connection the server is closing.
            timeout_keep_alive=75,
        )
    )
    server.run(sockets=[listener])
    if not server.started:  # its start-up failed, and said why
        raise typer.Exit(EXIT_UNEXPECTED)


@providers_app.command()
def check(json: Json = False) -> None:
    """Ask each enabled provider whether its key works and what balance is left (free)."""
    statuses = asyncio.run(studio().check_providers.execute())
    if json:
        print_json(
            [
                {
                    "provider": s.provider,
                    "key_works": s.key_works,
                    "balance": s.balance,
                    "detail": s.detail,
                }
                for s in statuses
            ]
        )
    else:
        table(
            "providers",
            ["provider", "key works", "balance", "detail"],
            [
                (s.provider, "yes" if s.key_works else "NO", s.balance or "-", s.detail)
                for s in statuses
            ],
            prose=("detail",),
        )
    if not all(status.key_works for status in statuses):
        raise typer.Exit(4)


def reconcile(
    # Past a 64-bit LIMIT the database refused it: an "unexpected OverflowError".
    limit: Annotated[int, typer.Option("--limit", min=1, max=MOST_RECONCILED)] = 100,
    json: Json = False,
) -> None:
    """Settle operations whose outcome at the provider is unknown (looked up, never resent)."""
    report = asyncio.run(studio().reconcile.execute(limit))
    if json:
        print_json(
            {
                "succeeded": list(report.succeeded),
                "failed": list(report.failed),
                "unresolved": list(report.unresolved),
                "pending": list(report.pending),
                "waiting": [view_json(view) for view in report.waiting],
            }
        )
        return
    typer.echo(
        f"{len(report.succeeded)} succeeded (charged), {len(report.failed)} failed (released), "
        f"{len(report.unresolved)} unresolved (released; possible provider cost recorded), "
        f"{len(report.pending)} still pending"
    )
    if not report.waiting:
        typer.echo("no operation is waiting: nothing is held")
        return
    shown = "the newest " if len(report.waiting) == limit else ""
    typer.echo(f"{shown}{len(report.waiting)} not finished (what each holds, what it waits for):")
    for waiting in waiting_lines(report.waiting):
        typer.echo(f"  {waiting}")
