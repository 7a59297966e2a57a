"""The two servers of the HTTP API benchmark, each a Python process of its own: the provider
sandbox and the HTTP API."""

from __future__ import annotations

import os
import resource
import subprocess
import sys

from bench_support import first_line, stop_child

START_SECONDS = 60.0

# Served by hand, not by RunningSandbox: it keeps idle connections 75 s, longer than the
# WaveSpeed adapter's pool keeps them (30 s). With uvicorn's 5 s, a submit sent on a pooled
# connection just as the sandbox closes it fails with a ReadError: an unknown outcome.
SANDBOX = """
import sys, threading, time
from decimal import Decimal
import uvicorn
from imagestudio.adapters.sandbox.app import build_app
from imagestudio.adapters.sandbox.config import SandboxConfig, WaveSpeedLimits
from imagestudio.adapters.sandbox.state import SandboxState

config = SandboxConfig(
    latency_seconds=0.0,
    wavespeed=WaveSpeedLimits(
        submits_per_window=1_000_000_000, concurrent_tasks=100_000, window_seconds=60.0
    ),
    wavespeed_balance_usd=Decimal("100000000"),
)
server = uvicorn.Server(
    uvicorn.Config(
        build_app(SandboxState(config)),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=75,
    )
)
thread = threading.Thread(target=server.run, daemon=True)
thread.start()
while not server.started:
    if not thread.is_alive():
        sys.exit("the sandbox did not start")
    time.sleep(0.01)
host, port = server.servers[0].sockets[0].getsockname()[:2]
print(f"http://{host}:{port}", flush=True)
sys.stdin.read()  # until the benchmark closes our stdin
server.should_exit = True
thread.join(10)
"""

API = """
import json, sys
from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.entrypoints.http.app import create_app
from imagestudio.entrypoints.settings import Settings

settings = Settings(**json.loads(sys.argv[1]))
with ServedApp(create_app(settings), lifespan="on", name="http-api") as served:
    print(served.base_url, flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin
"""


def clean_environment() -> dict[str, str]:
    """Ours without IMAGESTUDIO_* and provider keys: the servers take only what we give."""
    dropped = ("WAVESPEED_API_KEY", "STABILITY_API_KEY")
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("IMAGESTUDIO_") and name not in dropped
    }


class Served:
    """`with Served(script, *args) as served:` a Python process that prints its base URL and
    serves until its stdin closes."""

    def __init__(self, script: str, *args: str) -> None:
        # -P: the child's working directory never comes first on its sys.path either.
        self._command = [sys.executable, "-P", "-c", script, *args]
        self._process: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> Served:
        self._process = subprocess.Popen(
            self._command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**clean_environment(), "IMAGESTUDIO_SIGNING_KEY": "bench-" * 8},
        )
        self.base_url = first_line(self._process, START_SECONDS, "a server")
        return self

    def __exit__(self, *_: object) -> None:
        stop_child(self._process, 40)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
