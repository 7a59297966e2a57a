"""The README's sandbox examples run as written against a live sandbox (WaveSpeed's official
SDK, its two-step upload included, and plain httpx for Stability), and `imagestudio sandbox`
says the key the README names."""

from __future__ import annotations

import os
import re
import runpy
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from test_readme import README, readme_example

from imagestudio.adapters.sandbox.config import SANDBOX_KEY, SandboxConfig
from imagestudio.adapters.sandbox.runner import RunningSandbox


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[RunningSandbox]:
    with RunningSandbox(SandboxConfig(latency_seconds=0.05)) as running:
        monkeypatch.setenv("IMAGESTUDIO_SANDBOX_URL", running.base_url)
        monkeypatch.chdir(tmp_path)
        yield running


def run(marker: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    script = tmp_path / f"{marker}.py"
    script.write_text(readme_example(marker))
    runpy.run_path(str(script), run_name="__main__")
    return capsys.readouterr().out


def test_the_readme_names_the_sandbox_key() -> None:
    assert f"The sandbox's API key is `{SANDBOX_KEY}`" in README.read_text()
    for marker in ("sandbox-wavespeed-sdk-example", "sandbox-stability-httpx-example"):
        assert SANDBOX_KEY in readme_example(marker)


def test_the_official_wavespeed_sdk_example_runs_and_uploads(
    sandbox: RunningSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Image.new("RGB", (320, 240), "teal").save(tmp_path / "kite.png")

    printed = run("sandbox-wavespeed-sdk-example", tmp_path, capsys)

    generated = re.search(r"^generated: (\S+)$", printed, re.MULTILINE)
    upscaled = re.search(r"^upscaled: (\S+)$", printed, re.MULTILINE)
    assert generated and upscaled, printed
    for url in (generated.group(1), upscaled.group(1)):
        assert url.startswith(sandbox.base_url)
        assert httpx.get(url).status_code == 200
    assert [task.route for task in sandbox.state.book.billed()] == [
        "wavespeed-ai/flux-dev",
        "wavespeed-ai/image-upscaler",
    ]


def test_the_httpx_stability_example_runs(
    sandbox: RunningSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = run("sandbox-stability-httpx-example", tmp_path, capsys)

    with Image.open(tmp_path / "harbour.png") as picture:
        assert picture.format == "PNG"
    assert re.search(r"^seed \d+ credits left: \d+", printed, re.MULTILINE), printed
    assert "another key: 401" in printed
    assert [task.route for task in sandbox.state.book.billed()] == ["stable-image/generate/core"]


def test_the_sandbox_command_says_its_key_when_it_starts() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = subprocess.Popen(
        [sys.executable, "-m", "imagestudio.entrypoints.cli.main", "sandbox", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}/api/v3/balance"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answered = httpx.get(url, headers={"Authorization": f"Bearer {SANDBOX_KEY}"})
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "no sandbox"
                time.sleep(0.1)
        wrong = httpx.get(url, headers={"Authorization": "Bearer another-key"})
    finally:
        server.terminate()
        said, _ = server.communicate(timeout=10)
    assert answered.status_code == 200 and wrong.status_code == 401
    assert f"sandbox API key: {SANDBOX_KEY} " in said, said
