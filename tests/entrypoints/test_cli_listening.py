"""`serve` and `sandbox` bind their port before anything else: a taken port, a host that does not
resolve or a port out of range is one `error:` line and exit code 2 naming the option, with no
sign-in link printed for a server that never ran; `--port 0` takes a free port and says which."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CLI = [sys.executable, "-c", "from imagestudio.entrypoints.cli.main import run; run()"]


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith("IMAGESTUDIO_")}
    return kept | {
        "IMAGESTUDIO_DATA_DIR": str(tmp_path / "data"),
        "IMAGESTUDIO_SIGNING_KEY": "k" * 32,
        "IMAGESTUDIO_PROFILE": "local",
    }


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def run(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=environment, capture_output=True, text=True, timeout=60, check=False
    )


def refused(done: subprocess.CompletedProcess[str], said: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""  # no sign-in link, no banner: nothing ran
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("error: "), done.stderr
    assert said in done.stderr, done.stderr


@pytest.mark.parametrize("command", ["serve", "sandbox"])
def test_a_taken_port_is_one_line_and_exit_2(
    command: str, environment: dict[str, str], taken_port: int
) -> None:
    done = run(environment, command, "--port", str(taken_port))
    refused(done, f"invalid --port: cannot listen on 127.0.0.1:{taken_port}: ")


@pytest.mark.parametrize("command", ["serve", "sandbox"])
def test_a_host_that_does_not_resolve_is_one_line_and_exit_2(
    command: str, environment: dict[str, str]
) -> None:
    done = run(environment, command, "--host", "no-such-host.invalid", "--port", "0")
    refused(done, "invalid --host: 'no-such-host.invalid': ")


@pytest.mark.parametrize("command", ["serve", "sandbox"])
@pytest.mark.parametrize("host", ["", " "])
def test_an_empty_host_is_refused_not_every_interface(
    command: str, host: str, environment: dict[str, str]
) -> None:
    # The resolver reads an empty host as the wildcard: the server listened on every interface.
    done = run(environment, command, "--host", host, "--port", "0")
    refused(done, "invalid --host: is empty: give 127.0.0.1 (this machine) or 0.0.0.0 (all)")


@pytest.mark.parametrize("command", ["serve", "sandbox"])
@pytest.mark.parametrize("port", ["-1", "65536", "99999"])
def test_a_port_out_of_range_is_one_line_and_exit_2(
    command: str, port: str, environment: dict[str, str]
) -> None:
    refused(run(environment, command, "--port", port), "'--port'")


def test_port_0_serves_on_the_free_port_it_names(environment: dict[str, str]) -> None:
    server = subprocess.Popen(
        [*CLI, "serve", "--port", "0"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        said = server.stdout.readline() + server.stdout.readline()  # the sign-in link's two lines
        found = re.search(r"http://127\.0\.0\.1:(\d+)/sign-in/link", said)
        assert found, said
        port = int(found.group(1))
        assert port != 0
        deadline = time.monotonic() + 30
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
