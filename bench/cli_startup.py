"""How long `imagestudio --help`, a command's `--help` and `imagestudio usage` take, from the
shell's point of view.

    .venv/bin/python bench/cli_startup.py            # 15 runs of each, ~1 min on 2 cores
    .venv/bin/python bench/cli_startup.py --quick    # 2 runs of each, seconds
    .venv/bin/python bench/cli_startup.py --smoke    # 1 run of each, to show it runs

Each command runs as a user runs it: the installed console script, a fresh process, a data
folder of its own (the `local` profile: SQLite), after one warm-up run that writes Python's
bytecode cache and creates the database. Wall time moves with the machine's load; CPU time
(user + system of the child) much less, so both are given.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_support import chosen_mode, cpu, load, mode_label

RUNS = {"full": 15, "quick": 2, "smoke": 1}
GOALS = {"--help": 0.3, "generate": 0.3}
"""Seconds, wall time, median."""


def command() -> list[str]:
    script = Path(sys.executable).with_name("imagestudio")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "imagestudio.entrypoints.cli.main"]


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run; the run must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, timeout=120)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    mode = chosen_mode(__doc__.splitlines()[0], "2 runs of each, seconds")
    runs = RUNS[mode]
    began = time.perf_counter()
    data = Path(tempfile.mkdtemp(prefix="imagestudio-startup-"))
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("IMAGESTUDIO_") and name != "PYTHONDONTWRITEBYTECODE"
    }
    env |= {"IMAGESTUDIO_PROFILE": "local", "IMAGESTUDIO_DATA_DIR": str(data)}
    print(f"## CLI start-up benchmark{mode_label(mode)}\n")
    print(f"- {cpu()}, Python {sys.version.split()[0]}, load average before: {load()}\n")
    print("| command | runs | wall, median | wall, best | CPU, median | goal (wall) |")
    print("|---|---|---|---|---|---|")
    try:
        for words in (["--help"], ["generate", "--help"], ["usage"]):
            args = [*command(), *words]
            timed(args, env)  # warm-up: bytecode cache written, database created
            times = [timed(args, env) for _ in range(runs)]
            walls, cpus = [wall for wall, _ in times], [used for _, used in times]
            goal = GOALS.get(words[0])
            print(
                f"| `imagestudio {' '.join(words)}` | {runs} | {statistics.median(walls):.3f} s "
                f"| {min(walls):.3f} s | {statistics.median(cpus):.3f} s "
                f"| {'-' if goal is None else f'≤ {goal} s'} |"
            )
    finally:
        shutil.rmtree(data, ignore_errors=True)
    print(f"\n(run took {time.perf_counter() - began:.0f} s; load average after: {load()})")


if __name__ == "__main__":
    main()
