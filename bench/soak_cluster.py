"""The soak's processes: the provider sandbox (`imagestudio sandbox`, faults at rates) and the
`imagestudio serve` processes sharing one database, each started, SIGKILLed and restarted by
its own pid. Every process runs this interpreter's `imagestudio` CLI, as an operator would."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from imagestudio.adapters.sandbox.faults import Fault, FaultRate, Route
from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql.engine import create_engine

CLI = [sys.executable, "-m", "imagestudio.entrypoints.cli.main"]
ADMIN_KEY = "soak-admin-key-that-is-long-enough-0001"
SIGNING_KEY = "soak-signing-key-shared-by-every-server-0001"
READY_SECONDS = 60.0
LIMITS_OUT_OF_THE_WAY = "100000"
"""The provider accounts' own limits: far above the load, so only injected 429s strike."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Timing:
    """The short delays a soak runs with; recovery is due within seconds of the load's end."""

    latency: float = 0.2
    """How long a sandbox task runs."""
    deadline: float = 6.0
    """IMAGESTUDIO_PROVIDER_DEADLINE_SECONDS: past it, a sent call's outcome is unknown."""
    slow_reply: float = 8.0
    """A `slow` fault's reply comes this late: past the deadline, a time-out."""
    slow_task: float = 9.0
    """A `slow-task` fault's task runs this long: past the deadline, left to reconciliation."""
    lease: float = 2.0
    reconcile_after: float = 4.0
    reconcile_recheck: float = 2.0
    http_wait: float = 3.0
    """IMAGESTUDIO_HTTP_WAIT_SECONDS: a sync request answers 202 past it."""
    result_ttl: float = 30.0
    """How long the sandbox keeps Stability's async results (24 h at Stability): reconciliation
    asks about a task until its result is gone, so this bounds how long a failed one is held."""


SUBMIT_FAULTS: dict[Fault, float] = {
    Fault.SLOW: 1,
    Fault.HTTP_429: 2,
    Fault.HTTP_500: 1,
    Fault.HTTP_500_AFTER_WORK: 1,
    Fault.HTTP_502: 1,
    Fault.HTTP_503: 1,
    Fault.MALFORMED: 1,
    Fault.TRUNCATED: 1,
    Fault.DROP: 1,
    Fault.RESET: 1,
    Fault.FAIL_AFTER_ACCEPT: 2,
    Fault.SLOW_TASK: 1,
}
"""How a submit's share of faults is split between the kinds (weights)."""
READ_FAULTS: dict[Fault, float] = {
    Fault.HTTP_429: 1,
    Fault.HTTP_503: 1,
    Fault.DROP: 1,
    Fault.RESET: 1,
    Fault.MALFORMED: 1,
    Fault.TRUNCATED: 1,
    Fault.SLOW: 0.5,
}
"""Polls, results, uploads and downloads: read-only calls, retried by the adapters."""
SUBMITS = (Route.WAVESPEED_SUBMIT, Route.STABILITY_SUBMIT)
READS = (Route.WAVESPEED_POLL, Route.WAVESPEED_UPLOAD, Route.STABILITY_RESULT, Route.FILE_DOWNLOAD)


def fault_rates(rate: float) -> list[FaultRate]:
    """`rate` of every submit faulted, split by SUBMIT_FAULTS; a third of that on reads."""
    rates = []
    for routes, weights, share in ((SUBMITS, SUBMIT_FAULTS, rate), (READS, READ_FAULTS, rate / 3)):
        total = sum(weights.values())
        for route in routes:
            rates += [FaultRate(route, fault, share * w / total) for fault, w in weights.items()]
    return rates


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while True:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(f"{url} did not come up (exit {process.poll()}):\n{tail}")
        time.sleep(0.1)


class SandboxProcess:
    """`imagestudio sandbox` with faults at `rate`, in its own process (started at once; up
    once `wait_until_up` returns)."""

    def __init__(self, folder: Path, timing: Timing, rate: float, seed: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / "sandbox.log"
        faults = [f"--fault={r.route.value}:{r.fault.value}={r.rate!r}" for r in fault_rates(rate)]
        command = [
            *CLI,
            "sandbox",
            f"--port={self.port}",
            f"--latency={timing.latency}",
            f"--slow-seconds={timing.slow_reply}",
            f"--slow-task-seconds={timing.slow_task}",
            f"--seed={seed}",
            f"--result-ttl={timing.result_ttl}",
            f"--wavespeed-per-minute={LIMITS_OUT_OF_THE_WAY}",
            f"--wavespeed-concurrent={LIMITS_OUT_OF_THE_WAY}",
            f"--stability-per-10s={LIMITS_OUT_OF_THE_WAY}",
            "--wavespeed-balance=1000000",
            "--stability-credits=100000000",
            *faults,
        ]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)

    def wait_until_up(self) -> None:
        wait_until_up(f"{self.url}/_sandbox/faults", self.process, self.log)

    def tally(self) -> dict[str, Any]:
        found: dict[str, Any] = httpx.get(f"{self.url}/_sandbox/faults", timeout=30).json()
        return found

    def billed(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = httpx.get(f"{self.url}/_sandbox/billed", timeout=60).json()
        return found

    def stop(self) -> None:
        stop(self.process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 15 s, by the process's own pid."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def server_environment(
    folder: Path, database_url: str, sandbox_url: str, timing: Timing
) -> dict[str, str]:
    """The settings of every `imagestudio serve` (and `imagestudio db upgrade`) of one run."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith("IMAGESTUDIO_")}
    return keep | {
        "IMAGESTUDIO_PROFILE": "sandbox",
        "IMAGESTUDIO_DATA_DIR": str(folder / "data"),
        "IMAGESTUDIO_DATABASE_URL": database_url,
        "IMAGESTUDIO_SANDBOX_URL": sandbox_url,
        "IMAGESTUDIO_ADMIN_KEY": ADMIN_KEY,
        "IMAGESTUDIO_SIGNING_KEY": SIGNING_KEY,
        "IMAGESTUDIO_LEASE_SECONDS": str(timing.lease),
        "IMAGESTUDIO_RECONCILE_AFTER_SECONDS": str(timing.reconcile_after),
        "IMAGESTUDIO_RECONCILE_RECHECK_SECONDS": str(timing.reconcile_recheck),
        "IMAGESTUDIO_PROVIDER_DEADLINE_SECONDS": str(timing.deadline),
        "IMAGESTUDIO_HTTP_WAIT_SECONDS": str(timing.http_wait),
        "IMAGESTUDIO_HTTP_SHUTDOWN_GRACE_SECONDS": "2",
        "IMAGESTUDIO_WAVESPEED_CONCURRENT_TASKS": LIMITS_OUT_OF_THE_WAY,
        "IMAGESTUDIO_WAVESPEED_SUBMITS_PER_MINUTE": LIMITS_OUT_OF_THE_WAY,
        "IMAGESTUDIO_STABILITY_CONCURRENT_TASKS": LIMITS_OUT_OF_THE_WAY,
        "IMAGESTUDIO_STABILITY_REQUESTS_PER_10S": LIMITS_OUT_OF_THE_WAY,
    }


async def upgrade_schema(database_url: str) -> None:
    """What `imagestudio db upgrade` does, without starting another interpreter for it."""
    engine = create_engine(database_url)
    try:
        await schema.upgrade(engine)
    finally:
        await engine.dispose()


class ServerProcess:
    """One `imagestudio serve` on a fixed port, which outlives the kills of its process."""

    def __init__(self, name: str, folder: Path, environment: dict[str, str]) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / f"{name}.log"
        self._environment = environment
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0
        self.up = False

    def start(self) -> None:
        with self.log.open("ab") as out:
            out.write(f"\n--- start at {time.time():.3f} ---\n".encode())
            self.process = subprocess.Popen(
                [*CLI, "serve", f"--port={self.port}"],
                env=self._environment,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until_up(f"{self.url}/healthz", self.process, self.log)
        self.up = True

    def kill(self) -> None:
        """SIGKILL: no shutdown, no lease given back, requests in flight cut."""
        assert self.process is not None
        self.up = False
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.kills += 1

    def stop(self) -> None:
        self.up = False
        if self.process is not None:
            stop(self.process)
