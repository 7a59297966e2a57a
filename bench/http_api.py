"""Benchmark: one operation through the HTTP API vs a bare httpx call of the sandbox.

    .venv/bin/python bench/http_api.py [--quick | --smoke]

Prints markdown tables (no thresholds: this is for people to read, not a test); about 5 minutes
on 2 cores, `--quick` under 2, `--smoke` seconds (a few requests at each level, to show it runs).

Three processes: the provider sandbox (zero latency, limits far above the load), the HTTP API
(`create_app` on the `test` profile, served by uvicorn; the real WaveSpeed adapter pointed at
the sandbox, the offline provider off) and this client. For 1, 16 and 128 requests in flight
(asyncio tasks, each sending the next request as soon as its last one is answered), three paths:

- API: `POST /v1/operations` (`wavespeed/flux-dev`, 256×256, one output) as a user on the
  unlimited `local` plan, made through `POST /v1/admin/users`. The server prices, reserves,
  submits, polls, downloads, stores the asset, commits and writes the ledger line before it
  answers 200; every answer is checked (200, `succeeded`, one asset);
- in-process: `generate` on an `ImageStudio` in this process with the server's settings: the
  same work without the HTTP layer, so the overhead can be split between the two;
- bare: what the adapter does at the least, straight at the sandbox: POST the same body, poll
  on the adapter's schedule until `completed`, GET the output.

Figures: requests per second over the timed run; latency p50/p95/p99; failures (every one
counted, the commonest printed); CPU ms per request of each process; and the added latency per
request, p50 API − p50 bare: what going through the API costs a caller. Every path waits the
same first poll interval, so it cancels out of that figure. On a 2-core machine the three
processes share the cores, so at 16 and 128 in flight the figures are those of a CPU-bound box.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import httpx
from bench_support import chosen_mode, first_line, mode_label, stop_child

from imagestudio.adapters.sandbox.config import SANDBOX_KEY

FULL = {1: 300, 16: 1_600, 128: 3_200}
"""requests in flight → requests in the timed run, per path."""
QUICK = {1: 50, 16: 240, 128: 384}
SMOKE = {1: 3, 8: 8}
POLL_SECONDS = 0.02  # the API's first poll (IMAGESTUDIO_WAVESPEED_POLL_SECONDS), and bare's
POLL_GROWTH = 1.5  # as adapters/wavespeed/polling.py
POLL_MAX = 8.0
CONNECTIONS = 200  # the client's pool on both paths (the adapter's own is the same size)
MODEL_ID = "wavespeed/flux-dev"
ROUTE = "wavespeed-ai/flux-dev"
SIZE = 256
ADMIN_KEY = "bench-admin-key"
START_SECONDS = 60.0
STARTED = time.perf_counter()


# -- the two servers, each in its own process -------------------------------------------------

# Served by hand, not by RunningSandbox: it keeps idle connections 75 s, longer than the
# WaveSpeed adapter's pool keeps them (30 s). With uvicorn's 5 s, a submit sent on a pooled
# connection just as the sandbox closes it fails with a ReadError: an unknown outcome.
_SANDBOX = """
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

_API = """
import json, sys
from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.entrypoints.http.app import create_app
from imagestudio.entrypoints.settings import Settings

settings = Settings(**json.loads(sys.argv[1]))
with ServedApp(create_app(settings), lifespan="on", name="http-api") as served:
    print(served.base_url, flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin
"""


def studio_settings(sandbox_url: str) -> dict[str, object]:
    """The API server's settings, and the in-process path's: the real WaveSpeed adapter at the
    sandbox, state in memory, account limits far above the load."""
    return {
        "profile": "test",
        "wavespeed_api_key": SANDBOX_KEY,
        "wavespeed_base_url": sandbox_url,
        "offline_provider": False,
        "wavespeed_concurrent_tasks": 2_000,
        "wavespeed_submits_per_minute": 100_000_000,
        "wavespeed_poll_seconds": POLL_SECONDS,
    }


def _clean_environment() -> dict[str, str]:
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
            env={**_clean_environment(), "IMAGESTUDIO_SIGNING_KEY": "bench-" * 8},
        )
        self.base_url = first_line(self._process, START_SECONDS, "a server")
        return self

    def __exit__(self, *_: object) -> None:
        stop_child(self._process, 40)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid


def _cpu_seconds_of(pid: int) -> float | None:
    """User + system CPU seconds of another process (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- the two paths ----------------------------------------------------------------------------

Request = Callable[[int], Awaitable[str | None]]  # index → None, or why it failed


def _prompt(index: int) -> str:
    return f"a lighthouse at dusk, benchmark {index}"


def _client(base_url: str, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {key}"},
        # Idle connections are dropped before uvicorn drops them (5 s): with both at 5 s, a
        # request sent on a connection the server is closing fails with a ReadError.
        limits=httpx.Limits(
            max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS, keepalive_expiry=2
        ),
        timeout=httpx.Timeout(120.0, connect=10.0),
    )


class Api:
    """`POST /v1/operations`, answered once the operation has run."""

    def __init__(self, base_url: str, api_key: str) -> None:
        self.client = _client(base_url, api_key)

    async def request(self, index: int) -> str | None:
        response = await self.client.post(
            "/v1/operations",
            json={
                "kind": "text-to-image",
                "model": MODEL_ID,
                "prompt": _prompt(index),
                "width": SIZE,
                "height": SIZE,
            },
        )
        if response.status_code != 200:
            return f"HTTP {response.status_code} {response.text[:80]}"
        operation = response.json()
        if operation["status"] != "succeeded" or len(operation["assets"]) != 1:
            return f"{operation['status']}: {operation.get('error')}"[:120]
        return None


class InProcess:
    """`generate` on an ImageStudio in this process, with the API server's settings: the same
    work without the HTTP layer (and the asset URLs), to tell the two apart."""

    def __init__(self, sandbox_url: str) -> None:
        from imagestudio.entrypoints.api import ImageStudio

        self.studio = ImageStudio.open(**studio_settings(sandbox_url))

    async def request(self, index: int) -> str | None:
        from returns.result import Failure

        from imagestudio.application.use_cases.generate import GenerateRequest

        request = GenerateRequest(
            user_id="local", prompt=_prompt(index), model_id=MODEL_ID, width=SIZE, height=SIZE
        )
        result = await self.studio.generate.execute(request)
        if isinstance(result, Failure):
            return f"{type(result.failure()).__name__}: {result.failure()}"[:120]
        done = result.unwrap()
        if done.operation.status.value != "succeeded" or len(done.assets) != 1:
            return f"{done.operation.status.value}: {done.operation.error}"[:120]
        return None


class Bare:
    """Submit, poll on the adapter's schedule, download: nothing else."""

    def __init__(self, base_url: str) -> None:
        self.client = _client(base_url, SANDBOX_KEY)

    async def request(self, index: int) -> str | None:
        body = {
            "prompt": _prompt(index),
            "size": f"{SIZE}*{SIZE}",
            "num_images": 1,
            "seed": -1,
            "output_format": "jpeg",
        }
        response = await self.client.post(f"/api/v3/{ROUTE}", json=body)
        if response.status_code != 200:
            return f"submit: HTTP {response.status_code} {response.text[:80]}"
        prediction = response.json()["data"]
        interval = POLL_SECONDS
        while prediction["status"] not in ("completed", "failed"):
            await asyncio.sleep(interval)
            response = await self.client.get(f"/api/v3/predictions/{prediction['id']}/result")
            if response.status_code != 200:
                return f"poll: HTTP {response.status_code} {response.text[:80]}"
            prediction = response.json()["data"]
            interval = min(interval * POLL_GROWTH, POLL_MAX)
        if prediction["status"] == "failed":
            return f"task failed: {prediction.get('error')}"
        download = await self.client.get(prediction["outputs"][0])
        if download.status_code != 200 or not download.content:
            return f"download: HTTP {download.status_code}"
        return None


@dataclass
class Run:
    path: str
    in_flight: int
    done: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    cpu: dict[str, float | None] = field(default_factory=dict)  # process → CPU s over the run

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    @property
    def rate(self) -> float:
        return (self.done + self.failed) / self.seconds

    def percentile(self, percent: float) -> float:
        """Milliseconds, nearest rank."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))] * 1000

    def cpu_ms(self, process: str) -> str:
        seconds = self.cpu.get(process)
        total = self.done + self.failed
        return "-" if seconds is None or not total else f"{seconds / total * 1000:.2f}"


async def drive(request: Request, run: Run, total: int, first: int) -> Run:
    """`run.in_flight` tasks, each sending the next request when its last one is answered."""
    next_index = first

    async def lane() -> None:
        nonlocal next_index
        while next_index < first + total:
            index = next_index
            next_index += 1
            started = time.perf_counter()
            try:
                why = await request(index)
            except Exception as error:  # counted and shown, never silently measured
                why = _why(error)
            run.latencies.append(time.perf_counter() - started)
            if why is None:
                run.done += 1
            else:
                run.failures[why] += 1

    began = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(run.in_flight)))
    run.seconds = time.perf_counter() - began
    return run


def _why(error: BaseException) -> str:
    """The exception and what caused it (a transport error's own message is often empty)."""
    chain = [error]
    while chain[-1].__cause__ is not None and len(chain) < 4:
        chain.append(chain[-1].__cause__)
    return " ← ".join(f"{type(link).__name__}: {link}" for link in chain)[:160]


async def measure(
    path: str, request: Request, in_flight: int, total: int, first: int, pids: dict[str, int]
) -> Run:
    """A warm-up wave (connections opened, code paths warm), then the timed run."""
    warm = await drive(request, Run(path, in_flight), in_flight, first)
    if warm.failed:
        raise RuntimeError(f"{path}: the warm-up failed: {dict(warm.failures)}")
    before = {name: _cpu_seconds_of(pid) for name, pid in pids.items()}
    own = _own_cpu()
    run = await drive(request, Run(path, in_flight), total, first + in_flight)
    run.cpu["client"] = _own_cpu() - own
    for name, pid in pids.items():
        start, end = before[name], _cpu_seconds_of(pid)
        run.cpu[name] = None if start is None or end is None else end - start
    _progress(
        f"{in_flight} in flight, {path}: {run.done}/{total} ok in {run.seconds:.1f} s, "
        f"{run.rate:,.1f}/s, p50 {run.percentile(50):.1f} ms"
    )
    return run


async def add_bench_user(api_url: str) -> str:
    async with _client(api_url, ADMIN_KEY) as admin:
        made = await admin.post("/v1/admin/users", json={"user_id": "bench", "plan": "local"})
        if made.status_code != 201:
            raise RuntimeError(f"could not add the bench user: {made.status_code} {made.text}")
        key: str = made.json()["api_key"]
        return key


PATHS = ("API", "in-process", "bare")
Level = dict[str, Run]
"""path → its run at one number of requests in flight."""


async def run_all(totals: dict[int, int]) -> list[Level]:
    with (
        Served(_SANDBOX) as sandbox,
        Served(
            _API, json.dumps({**studio_settings(sandbox.base_url), "admin_key": ADMIN_KEY})
        ) as api_server,
    ):
        pids = {"api": api_server.pid, "sandbox": sandbox.pid}
        api = Api(api_server.base_url, await add_bench_user(api_server.base_url))
        in_process, bare = InProcess(sandbox.base_url), Bare(sandbox.base_url)
        await in_process.studio.start()
        requests = {"API": api.request, "in-process": in_process.request, "bare": bare.request}
        levels, first = [], 0
        try:
            for in_flight in totals:
                level = {}
                for path in PATHS:
                    total = totals[in_flight]
                    level[path] = await measure(path, requests[path], in_flight, total, first, pids)
                    first += total + in_flight
                levels.append(level)
        finally:
            await api.client.aclose()
            await bare.client.aclose()
            await in_process.studio.aclose()
        return levels


# -- the report -------------------------------------------------------------------------------


def print_tables(levels: Sequence[Level]) -> None:
    print("\n### requests per second and latency\n")
    print(
        "ok / failed over the timed run; latency of one request from send to answer (ms); CPU "
        "ms per request of each process over the timed run. API: the client calls the API "
        "server, which calls the sandbox; in-process: the client runs `generate` itself, with "
        "the server's settings; bare: the client calls the sandbox.\n"
    )
    print(
        "| in flight | path | ok / failed | requests/s | p50 ms | p95 ms | p99 ms "
        "| client CPU ms | API server CPU ms | sandbox CPU ms |"
    )
    print("|---" * 10 + "|")
    for level in levels:
        for run in level.values():
            print(
                f"| {run.in_flight} | {run.path} | {run.done:,} / {run.failed} "
                f"| {run.rate:,.1f} | {run.percentile(50):.1f} | {run.percentile(95):.1f} "
                f"| {run.percentile(99):.1f} | {run.cpu_ms('client')} "
                f"| {run.cpu_ms('api') if run.path == 'API' else '-'} | {run.cpu_ms('sandbox')} |"
            )
    print("\n### what the API adds per request\n")
    print(
        "added latency: API − bare at the same percentile (ms), the figure a caller feels; of "
        "it, the HTTP layer (API − in-process, p50) and the money path with the adapter "
        "(in-process − bare, p50); rate: API ÷ bare requests/s. The split holds while no "
        "process is CPU-bound: at 128 in flight the in-process client does on one core what the "
        "API path spreads over two processes.\n"
    )
    print(
        "| in flight | added p50 ms | added p95 ms | added p99 ms | HTTP layer p50 ms "
        "| money path p50 ms | rate ratio |"
    )
    print("|---" * 7 + "|")
    for level in levels:
        api, own, bare = level["API"], level["in-process"], level["bare"]
        print(
            f"| {api.in_flight} | **{api.percentile(50) - bare.percentile(50):.1f}** "
            f"| {api.percentile(95) - bare.percentile(95):.1f} "
            f"| {api.percentile(99) - bare.percentile(99):.1f} "
            f"| {api.percentile(50) - own.percentile(50):.1f} "
            f"| {own.percentile(50) - bare.percentile(50):.1f} "
            f"| {api.rate / bare.rate:.2f}× |"
        )
    failures = Counter[str]()
    for level in levels:
        for run in level.values():
            for why, count in run.failures.items():
                failures[f"{run.path}, {run.in_flight} in flight: {why}"] += count
    if failures:
        print("\nFailures (every one is counted above):\n")
        for why, count in failures.most_common(10):
            print(f"- {count} × {why}")
    else:
        print("\nNo request failed (every path, every level).")
    sys.stdout.flush()


def _cpu() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _progress(message: str) -> None:
    print(f"  [{time.perf_counter() - STARTED:5.0f} s] {message}", file=sys.stderr, flush=True)


def main(totals: dict[int, int], mode: str) -> None:
    began = time.perf_counter()
    for name in set(os.environ) - set(_clean_environment()):
        del os.environ[name]  # the in-process path takes only our settings, as the servers do
    print(f"## HTTP API vs bare httpx call of the sandbox{mode_label(mode)}\n")
    print(f"- machine: {os.cpu_count()} cores, {_cpu()}, {platform.platform()}")
    print(
        f"- Python {platform.python_version()}, httpx {version('httpx')}, "
        f"uvicorn {version('uvicorn')}, fastapi {version('fastapi')}"
    )
    print(f"- load average before the run: {_load()} (others may share the machine)")
    print(
        f"- {MODEL_ID} at {SIZE}×{SIZE}, one output; sandbox at zero latency, API server and "
        f"client each in their own process; first poll after {POLL_SECONDS * 1000:g} ms on "
        f"every path; {CONNECTIONS} pooled connections per client, idle ones dropped after "
        "2 s (before uvicorn's 5 s)"
    )
    runs = ", ".join(f"{total:,} at {n}" for n, total in totals.items())
    print(f"- requests per timed run and path (at so many in flight): {runs}; one warm-up wave")
    sys.stdout.flush()
    print_tables(asyncio.run(run_all(totals)))
    print(f"\n(run took {time.perf_counter() - began:.0f} s; load average after: {_load()})")


if __name__ == "__main__":
    mode = chosen_mode((__doc__ or "").splitlines()[0], "fewer requests at each level")
    main({"full": FULL, "quick": QUICK, "smoke": SMOKE}[mode], mode)
