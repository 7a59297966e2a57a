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
import json
import os
import platform
import sys
import time
from importlib.metadata import version

from bench_support import chosen_mode, cpu, load, mode_label
from http_api_paths import (
    CONNECTIONS,
    MODEL_ID,
    POLL_SECONDS,
    SIZE,
    Api,
    Bare,
    InProcess,
    client,
    studio_settings,
)
from http_api_report import Level, print_tables
from http_api_runs import measure
from http_api_servers import API, SANDBOX, Served, clean_environment

FULL = {1: 300, 16: 1_600, 128: 3_200}
"""requests in flight → requests in the timed run, per path."""
QUICK = {1: 50, 16: 240, 128: 384}
SMOKE = {1: 3, 8: 8}
ADMIN_KEY = "bench-admin-key"
PATHS = ("API", "in-process", "bare")


async def add_bench_user(api_url: str) -> str:
    async with client(api_url, ADMIN_KEY) as admin:
        made = await admin.post("/v1/admin/users", json={"user_id": "bench", "plan": "local"})
        if made.status_code != 201:
            raise RuntimeError(f"could not add the bench user: {made.status_code} {made.text}")
        key: str = made.json()["api_key"]
        return key


async def run_all(totals: dict[int, int]) -> list[Level]:
    with (
        Served(SANDBOX) as sandbox,
        Served(
            API, json.dumps({**studio_settings(sandbox.base_url), "admin_key": ADMIN_KEY})
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


def main(totals: dict[int, int], mode: str) -> None:
    began = time.perf_counter()
    for name in set(os.environ) - set(clean_environment()):
        del os.environ[name]  # the in-process path takes only our settings, as the servers do
    print(f"## HTTP API vs bare httpx call of the sandbox{mode_label(mode)}\n")
    print(f"- machine: {os.cpu_count()} cores, {cpu()}, {platform.platform()}")
    print(
        f"- Python {platform.python_version()}, httpx {version('httpx')}, "
        f"uvicorn {version('uvicorn')}, fastapi {version('fastapi')}"
    )
    print(f"- load average before the run: {load()} (others may share the machine)")
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
    print(f"\n(run took {time.perf_counter() - began:.0f} s; load average after: {load()})")


if __name__ == "__main__":
    mode = chosen_mode((__doc__ or "").splitlines()[0], "fewer requests at each level")
    main({"full": FULL, "quick": QUICK, "smoke": SMOKE}[mode], mode)
