"""An S3 asset store that cannot be reached gives each command one `error:` line and its exit
code: never "unexpected", a traceback, or a process that aborts (exit 134) after its error, as
`storage gc` did when the native client outlived the failed command's frames."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

RUN = "from imagestudio.entrypoints.cli.main import run; run()"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "IMAGESTUDIO_DATA_DIR": str(tmp_path / "data"),
        "IMAGESTUDIO_PROFILE": "local",
        "IMAGESTUDIO_STORAGE": "s3",
        "IMAGESTUDIO_S3_BUCKET": "assets",
        "IMAGESTUDIO_S3_ENDPOINT_URL": f"http://127.0.0.1:{closed_port()}",
        "IMAGESTUDIO_S3_ALLOW_HTTP": "true",
        "IMAGESTUDIO_S3_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
    }


def image(tmp_path: Path) -> str:
    from PIL import Image

    path = tmp_path / "in.png"
    Image.new("RGB", (512, 512), "red").save(path)
    return str(path)


# Each command that reaches the store, with the code and the start of its one error line.
COMMANDS = {
    "storage gc": (["storage", "gc", "--margin-seconds", "0"], 1, "the asset storage cannot"),
    "generate": (["generate", "a fox", "-o", "{out}"], 4, "the result could not be stored"),
    "compress": (["compress", "{image}", "-o", "{out}"], 4, "the result could not be stored"),
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_says_the_store_is_unreachable_in_one_line(
    name: str, env: dict[str, str], tmp_path: Path
) -> None:
    args, code, said = COMMANDS[name]
    places = {"{image}": image(tmp_path), "{out}": str(tmp_path / "out.png")}
    args = [places.get(arg, arg) for arg in args]
    for _ in range(3):  # the abort came at exit, not every time
        done = subprocess.run(
            [sys.executable, "-c", RUN, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=tmp_path,
        )
        errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
        assert done.returncode == code, done.stderr
        assert len(errors) == 1 and errors[0].startswith(f"error: {said}"), done.stderr
        assert "s3://assets//" not in done.stderr  # no prefix: the bucket, not an empty one
        assert "Traceback" not in done.stderr and "unexpected" not in done.stderr
        assert "Fatal" not in done.stderr and "panic" not in done.stderr
