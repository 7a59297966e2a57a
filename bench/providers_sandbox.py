"""The sandbox in a fresh process of its own (so the measured process holds only the client),
answering at `base_url` until its stdin closes, and the CPU another process has spent."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
from bench_support import first_line, stop_child

from imagestudio.adapters.sandbox.config import SANDBOX_KEY

SANDBOX_START_SECONDS = 30.0

# RunningSandbox, not `serve`: `serve` logs every request at info level, which would cost the
# sandbox CPU (and flood the output) at a thousand operations in flight.
_SANDBOX = """
import sys
from decimal import Decimal
from imagestudio.adapters.sandbox.config import SandboxConfig, WaveSpeedLimits
from imagestudio.adapters.sandbox.runner import RunningSandbox

config = SandboxConfig(
    latency_seconds=float(sys.argv[1]),
    wavespeed=WaveSpeedLimits(
        submits_per_window=1_000_000, concurrent_tasks=5_000, window_seconds=60.0
    ),
    wavespeed_balance_usd=Decimal("1000000"),
)
with RunningSandbox(config) as sandbox:
    print(sandbox.base_url, flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin
"""


class Sandbox:
    """`with Sandbox(latency) as sandbox:` a fresh sandbox process answering at `base_url`."""

    def __init__(self, latency: float) -> None:
        self._latency = latency
        self._process: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> Sandbox:
        self._process = subprocess.Popen(
            [sys.executable, "-c", _SANDBOX, str(self._latency)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.base_url = first_line(self._process, SANDBOX_START_SECONDS, "the sandbox")
        _wait_until_answering(self.base_url, SANDBOX_START_SECONDS)
        return self

    def __exit__(self, *_: object) -> None:
        stop_child(self._process, 10)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid


def _wait_until_answering(base_url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    headers = {"Authorization": f"Bearer {SANDBOX_KEY}"}
    while True:
        try:
            response = httpx.get(f"{base_url}/api/v3/balance", headers=headers, timeout=2)
            if response.status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the sandbox at {base_url} does not answer")
        time.sleep(0.05)
