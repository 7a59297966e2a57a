"""Two API processes sharing one PostgreSQL: they enforce one user's request rate together, and
a client of one follows, as it happens, an operation the other runs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

ADMIN = "admin-for-two-processes"
CLI = [sys.executable, "-m", "imagestudio.entrypoints.cli.main"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def api_process(env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the API did not start: {server.stderr.read()!r}")  # type: ignore[union-attr]
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.postgres
def test_a_users_request_rate_is_shared_by_every_api_process(
    postgres_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "IMAGESTUDIO_PROFILE": "postgres",
        "IMAGESTUDIO_DATABASE_URL": postgres_url,
        "IMAGESTUDIO_DATA_DIR": str(tmp_path),
        "IMAGESTUDIO_OFFLINE_PROVIDER": "true",
        "IMAGESTUDIO_ADMIN_KEY": ADMIN,
    }
    for step in (
        ["db", "upgrade"],
        [
            "plans",
            "set",
            "three-a-minute",
            "--rate",
            "3/min",
            "--spend-cap",
            "unlimited",
            "--concurrency",
            "unlimited",
        ],
    ):
        done = subprocess.run([*CLI, *step], env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr

    with ExitStack() as stack:
        first = stack.enter_context(api_process(env))
        second = stack.enter_context(api_process(env))
        made = httpx.post(
            f"{first}/v1/admin/users",
            json={"user_id": "dora", "plan": "three-a-minute"},
            headers={"Authorization": f"Bearer {ADMIN}"},
        )
        assert made.status_code == 201, made.text
        auth = {"Authorization": f"Bearer {made.json()['api_key']}"}
        body = {"kind": "text-to-image", "prompt": "a lighthouse"}
        statuses = [
            httpx.post(f"{url}/v1/operations", json=body, headers=auth, timeout=30)
            for url in (first, second, first, second)
        ]

    assert [response.status_code for response in statuses] == [200, 200, 200, 429]
    refused = statuses[-1]
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["type"] == "/problems/rate-limited"


@pytest.mark.postgres
def test_a_client_of_one_process_follows_an_operation_the_other_runs(
    postgres_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "IMAGESTUDIO_PROFILE": "postgres",
        "IMAGESTUDIO_DATABASE_URL": postgres_url,
        "IMAGESTUDIO_DATA_DIR": str(tmp_path),
        "IMAGESTUDIO_OFFLINE_PROVIDER": "true",
        "IMAGESTUDIO_OFFLINE_SLOW_SECONDS": "1.5",
        "IMAGESTUDIO_ADMIN_KEY": ADMIN,
    }
    done = subprocess.run([*CLI, "db", "upgrade"], env=env, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr

    with ExitStack() as stack:
        running, following = (stack.enter_context(api_process(env)) for _ in range(2))
        made = httpx.post(
            f"{running}/v1/admin/users",
            json={"user_id": "ezra", "plan": "pro"},
            headers={"Authorization": f"Bearer {ADMIN}"},
        )
        assert made.status_code == 201, made.text
        auth = {"Authorization": f"Bearer {made.json()['api_key']}"}
        started = httpx.post(
            f"{running}/v1/operations",
            json={"kind": "text-to-image", "prompt": "a slow kite [offline:slow]"},
            headers={**auth, "Prefer": "respond-async"},
            timeout=30,
        )
        assert started.status_code == 202, started.text
        heard: list[tuple[str, dict[str, object]]] = []
        url = f"{following}/v1/operations/{started.json()['id']}/events"
        with httpx.stream("GET", url, headers=auth, timeout=60) as stream:
            assert stream.status_code == 200
            event = ""
            for line in stream.iter_lines():
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    heard.append((event, json.loads(line.removeprefix("data: "))))

    names = [name for name, _ in heard]
    # The other process heard the run move: sent while the provider worked, then settled, last.
    assert "operation.sent" in names and names[-1] == "operation.settled", names
    assert names.index("operation.sent") < names.index("operation.settled")
    assert heard[names.index("operation.sent")][1]["status"] == "submitted"  # heard live
    assert "operation.progress" not in names  # progress is told only within the running process
    settled = heard[-1][1]
    assert settled["status"] == "succeeded" and "charged_micros" in settled, settled
