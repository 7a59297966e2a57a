"""After the demo, the command it prints last lists the demo's own library, as a newcomer whose
virtual environment is not activated would type it, and after activating it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from imagestudio.entrypoints.demo_follow_up import cli_command

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def newcomer_environment(data_dir: Path | None = None) -> dict[str, str]:
    """This machine's environment without our settings and without the venv on the PATH."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("IMAGESTUDIO_")
        and name not in ("WAVESPEED_API_KEY", "STABILITY_API_KEY", "VIRTUAL_ENV")
    }
    env["PATH"] = os.pathsep.join(
        entry for entry in env.get("PATH", "").split(os.pathsep) if Path(entry) != BIN
    )
    if data_dir is not None:
        env["IMAGESTUDIO_DATA_DIR"] = str(data_dir)
    return env


def test_the_demo_ends_with_the_command_that_lists_its_library(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo data"  # a space: the printed command quotes it
    demo = subprocess.run(
        [sys.executable, "-m", "imagestudio.entrypoints.demo"],
        cwd=ROOT,
        env=newcomer_environment(data_dir),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr
    made = set(re.findall(r"assets/local/(ast_\w+)\.", demo.stdout))
    assert len(made) == 4, demo.stdout  # generate, edit, upscale, social
    *_, said, command, activate = demo.stdout.strip().splitlines()
    assert said == f"continue where the demo left off (its data is in {data_dir}):"
    assert command.strip() == f"IMAGESTUDIO_DATA_DIR='{data_dir}' {cli_command(ROOT)} assets list"

    def typed(line: str) -> str:
        done = subprocess.run(
            ["bash", "-c", line],
            cwd=ROOT,
            env=newcomer_environment(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert made <= set(re.findall(r"ast_\w+", typed(command)))
    sourced = re.fullmatch(
        r"\s*\(or `(\. \S+)` once: then `imagestudio` is on the PATH\)", activate
    )
    assert sourced, activate
    listed = typed(
        f"{sourced.group(1)} && IMAGESTUDIO_DATA_DIR='{data_dir}' imagestudio assets list"
    )
    assert made <= set(re.findall(r"ast_\w+", listed))


def test_the_command_is_the_bare_name_once_the_environment_is_active(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not (BIN / "imagestudio").exists():
        pytest.skip("imagestudio is not installed as a script next to this interpreter")
    script = (BIN / "imagestudio").absolute()
    by_path = script.relative_to(ROOT) if script.is_relative_to(ROOT) else script
    monkeypatch.setenv("PATH", newcomer_environment()["PATH"])
    assert cli_command(ROOT) == str(by_path)  # `.venv/bin/imagestudio` in a checkout
    monkeypatch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ['PATH']}")
    assert cli_command(ROOT) == "imagestudio"
