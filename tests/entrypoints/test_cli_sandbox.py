"""`imagestudio sandbox` serves both providers; the `sandbox` profile's CLI works through it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from imagestudio.adapters.sandbox.config import SANDBOX_KEY


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def sandbox_url() -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "imagestudio.entrypoints.cli.main",
            "sandbox",
            "--port",
            str(port),
            "--latency",
            "0.05",
            "--wavespeed-balance",
            "12.5",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{url}/_sandbox/billed", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the sandbox did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_sandbox_command_serves_both_contracts(sandbox_url: str) -> None:
    auth = {"Authorization": f"Bearer {SANDBOX_KEY}"}
    wavespeed = httpx.get(f"{sandbox_url}/api/v3/balance", headers=auth).json()
    stability = httpx.get(f"{sandbox_url}/v1/user/balance", headers=auth).json()

    assert wavespeed["code"] == 200 and float(wavespeed["data"]["balance"]) == 12.5
    assert stability["credits"] == 10000
    assert httpx.get(f"{sandbox_url}/api/v3/balance").status_code == 401


def test_the_sandbox_profile_runs_the_cli_through_it(sandbox_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "IMAGESTUDIO_PROFILE": "sandbox",
        "IMAGESTUDIO_SANDBOX_URL": sandbox_url,
        "IMAGESTUDIO_DATA_DIR": str(tmp_path),
    }

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "imagestudio.entrypoints.cli.main", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    checked = cli("providers", "check", "--json")
    generated = cli("generate", "a kite", "--model", "wavespeed/flux-dev", "-n", "2", "--json")
    picture = tmp_path / "picture.png"
    Image.new("RGB", (320, 256), "teal").save(picture)
    # An endpoint field with no option of its own goes through --param.
    replaced = cli(
        "edit",
        str(picture),
        "a golden retriever",
        "--model",
        "stability/edit-search-and-replace",
        "--param",
        "search_prompt=cat",
        "-p",
        "grow_mask=4",
    )
    missing = cli("edit", str(picture), "a dog", "--model", "stability/edit-search-and-replace")
    # Both guided upscales need a prompt: refused by name before anything is held without one.
    small = tmp_path / "small.png"
    Image.new("RGB", (128, 96), "teal").save(small)
    unguided = [
        cli("upscale", str(small), "--model", f"stability/upscale-{how}")
        for how in ("creative", "conservative")
    ]
    upscaled = [
        cli("upscale", str(small), "--model", f"stability/upscale-{how}", "--prompt", "a kite")
        for how in ("creative", "conservative")
    ]
    usage = cli("usage", "--json")

    assert checked.returncode == 0, checked.stderr
    assert '"balance": "12.5' in checked.stdout and "credits" in checked.stdout
    assert generated.returncode == 0, generated.stderr
    assert replaced.returncode == 0, replaced.stderr
    assert missing.returncode == 2 and "search_prompt" in missing.stderr, missing.stderr
    for refused in unguided:
        assert refused.returncode == 2, refused.stderr
        assert "requires 'prompt'" in refused.stderr, refused.stderr
    for done in upscaled:
        assert done.returncode == 0, done.stderr
    assert usage.returncode == 0, usage.stderr
    assert all(not row["held"] for row in json.loads(usage.stdout)["rows"]), usage.stdout
    billed = httpx.get(f"{sandbox_url}/_sandbox/billed").json()
    assert [task["route"] for task in billed] == [
        "wavespeed-ai/flux-dev",
        "stable-image/edit/search-and-replace",
        "stable-image/upscale/creative",
        "stable-image/upscale/conservative",
    ]
