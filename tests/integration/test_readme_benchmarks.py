"""Every benchmark command of the README runs as written (from the repository's root, the way a
reader types it), in its `--smoke` mode. The commands are read from the README, so a benchmark
added there is run here with no change to this test."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
COMMAND = re.compile(r"^\.venv/bin/python (bench/\S+\.py)\b(.*)$", re.MULTILINE)
OWN_TEST = {"bench/soak.py": "tests/integration/test_soak.py"}
"""README benchmarks whose `--smoke` run a test of their own makes, checking what it prints
(run once, not twice: the soak's takes up to two minutes)."""


def readme_benchmarks() -> list[str]:
    """The script of every `.venv/bin/python bench/….py` line in the README's sh blocks."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(), re.DOTALL)
    return [found.group(1) for block in blocks for found in COMMAND.finditer(block)]


def test_the_readme_has_its_benchmark_commands() -> None:
    scripts = readme_benchmarks()
    assert len(scripts) >= 5 and len(set(scripts)) == len(scripts), scripts
    for script in scripts:
        assert (ROOT / script).is_file(), f"the README runs {script}, which does not exist"
    for script, test in OWN_TEST.items():
        assert script in scripts and (ROOT / test).is_file(), (script, test)


@pytest.mark.parametrize(
    "script", [script for script in readme_benchmarks() if script not in OWN_TEST]
)
def test_each_readme_benchmark_runs_in_smoke_mode(script: str) -> None:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("IMAGESTUDIO_", "PYTHON"))
        and name not in ("WAVESPEED_API_KEY", "STABILITY_API_KEY")
    }
    # As the README says it: this interpreter stands for .venv/bin/python, the script by its
    # relative path from the root, so the script's own folder comes first on sys.path.
    command = [sys.executable, script, "--smoke"]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )

    said = f"{shlex.join(command)}\n{done.stderr[-3000:]}"
    assert done.returncode == 0, said
    assert "Traceback" not in done.stderr, said
    heading = done.stdout.splitlines()[0]
    assert heading.startswith("## ") and heading.endswith("(--smoke)"), done.stdout[:500]
    assert "(run took" in done.stdout.splitlines()[-1], done.stdout[-500:]
