"""`imagestudio sandbox`: the local stand-in for WaveSpeed and Stability, with faults at rates."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import typer

from imagestudio.adapters.sandbox.config import SandboxConfig, StabilityLimits, WaveSpeedLimits
from imagestudio.adapters.sandbox.faults import Fault, FaultRate, Route
from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.cli.output import fail
from imagestudio.entrypoints.durations import MOST_SECONDS

_FAULT_HELP = (
    "ROUTE:FAULT=RATE, repeatable: that share of the route's requests meet the fault. Routes: "
    + ", ".join(route.value for route in Route)
    + "; faults: "
    + ", ".join(fault.value for fault in Fault)
    + "."
)


MOST_A_LIMIT = 1_000_000
"""The most an account limit of the sandbox takes (as the settings' own)."""


def register(app: typer.Typer) -> None:
    app.command()(sandbox)


def _fault_rates(given: list[str] | None) -> list[str] | None:
    for text in given or ():
        try:
            FaultRate.parse(text)
        except ValueError as error:
            raise typer.BadParameter(str(error)) from None
    return given


def sandbox(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="0: any free port.")] = 8765,
    latency: Annotated[
        float,
        typer.Option(
            "--latency", min=0.0, max=MOST_SECONDS, help="Seconds a task runs before it completes."
        ),
    ] = 0.5,
    fail_rate: Annotated[
        float,
        typer.Option("--fail-rate", min=0.0, max=1.0, help="Share of tasks that fail."),
    ] = 0.0,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            "--fault", help=_FAULT_HELP, callback=_fault_rates, metavar="ROUTE:FAULT=RATE"
        ),
    ] = None,
    slow_seconds: Annotated[
        float,
        typer.Option(
            "--slow-seconds", min=0.0, max=MOST_SECONDS, help="How late a `slow` reply comes."
        ),
    ] = 5.0,
    slow_task_seconds: Annotated[
        float,
        typer.Option(
            "--slow-task-seconds",
            min=0.0,
            max=MOST_SECONDS,
            help="How long a `slow-task` task runs.",
        ),
    ] = 10.0,
    seed: Annotated[int, typer.Option("--seed", help="Seeds the random draws.")] = 0,
    result_ttl: Annotated[
        float,
        typer.Option(
            "--result-ttl",
            min=0.0,
            max=MOST_SECONDS,
            help="Seconds Stability keeps an async result (24 h).",
        ),
    ] = 24 * 3600.0,
    sync_timeout: Annotated[
        float,
        typer.Option(
            "--sync-timeout",
            min=0.0,
            max=MOST_SECONDS,
            help="WaveSpeed sync mode gives up after this.",
        ),
    ] = 90.0,
    balance: Annotated[
        str, typer.Option("--wavespeed-balance", help="Starting WaveSpeed balance, USD.")
    ] = "100",
    credits: Annotated[
        str, typer.Option("--stability-credits", help="Starting Stability credits.")
    ] = "10000",
    wavespeed_per_minute: Annotated[
        int,
        typer.Option(
            "--wavespeed-per-minute",
            min=1,
            max=MOST_A_LIMIT,
            help="Submits a minute (Silver: 500).",
        ),
    ] = 500,
    wavespeed_concurrent: Annotated[
        int,
        typer.Option(
            "--wavespeed-concurrent", min=1, max=MOST_A_LIMIT, help="Tasks at once (Silver: 100)."
        ),
    ] = 100,
    stability_per_10s: Annotated[
        int,
        typer.Option(
            "--stability-per-10s", min=1, max=MOST_A_LIMIT, help="Requests per 10 s, then 60 s out."
        ),
    ] = 150,
) -> None:
    """Serve a local stand-in for WaveSpeed and Stability (profile `sandbox` talks to it)."""
    rates = tuple(FaultRate.parse(text) for text in fault or ())
    try:
        config = SandboxConfig(
            latency_seconds=latency,
            fail_rate=fail_rate,
            fault_rates=rates,
            slow_seconds=slow_seconds,
            slow_task_seconds=slow_task_seconds,
            random_seed=seed,
            result_ttl_seconds=result_ttl,
            sync_timeout_seconds=sync_timeout,
            wavespeed_balance_usd=Decimal(balance),
            stability_credits=Decimal(credits),
            wavespeed=WaveSpeedLimits(
                submits_per_window=wavespeed_per_minute, concurrent_tasks=wavespeed_concurrent
            ),
            stability=StabilityLimits(requests_per_window=stability_per_10s),
        )
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    from imagestudio.entrypoints.cli.listening import bound_port, listening_socket

    listener = listening_socket(host, port)
    if isinstance(listener, InvalidInput):
        fail(listener, False)
    port = bound_port(listener)
    typer.echo(
        f"sandbox for WaveSpeed and Stability on http://{host}:{port} "
        "(IMAGESTUDIO_PROFILE=sandbox uses it); Ctrl-C stops it"
    )
    # The server (uvicorn, Starlette) loads only when it starts: `--help` stays quick.
    from imagestudio.adapters.sandbox.runner import serve as serve_sandbox

    serve_sandbox(config, listener)
