"""`imagestudio --help` starts without the database, web and container libraries, and the
start-up benchmark runs (its smoke mode)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_tree import commands

BENCH = Path(__file__).resolve().parents[2] / "bench" / "cli_startup.py"
HEAVY = {
    "sqlalchemy",
    "fastapi",
    "dependency_injector",
    "alembic",
    "starlette",
    "uvicorn",
    "httpx",
    "PIL",
    "rich",
}
"""What no `--help` may import (`returns` may come: the domain's own result type). typer itself
coerces every parsed option through pydantic, so a command's `--help` (whose group options are
parsed on the way) loads pydantic; the top-level `--help` does not."""
# Runs each command line it is given as `imagestudio …` would, in one fresh interpreter, then
# says which top-level packages were loaded.
PROBE = """
import json, sys
from imagestudio.entrypoints.cli.main import app
for args in json.loads(sys.stdin.read()):
    code = app(args, standalone_mode=False)
    assert code in (0, None), (args, code)  # None: a command that ran to its end
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def loaded_after(*command_lines: list[str]) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        input=json.dumps(command_lines),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_help_imports_no_database_web_or_container_library() -> None:
    loaded = loaded_after(["--help"])

    assert "typer" in loaded  # the probe itself works
    assert loaded.isdisjoint(HEAVY | {"pydantic"}), sorted(loaded & (HEAVY | {"pydantic"}))


def test_the_help_of_every_command_imports_none_of_them_either() -> None:
    every = [[*path, "--help"] for path in commands()]

    assert len(every) > 40
    loaded = loaded_after(*every)
    assert loaded.isdisjoint(HEAVY), sorted(loaded & HEAVY)


def test_usage_on_an_existing_database_imports_no_web_framework_nor_alembic(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IMAGESTUDIO_PROFILE", "local")
    loaded_after(["usage"])  # creates the SQLite database (with alembic)

    loaded = loaded_after(["usage"])

    assert {"sqlalchemy", "dependency_injector"} <= loaded  # it did reach the database
    assert loaded.isdisjoint({"fastapi", "starlette", "uvicorn", "alembic"})


def test_the_startup_benchmark_reports_help_and_usage() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--smoke"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    rows = {line.split("|")[1].strip(): line for line in done.stdout.splitlines() if "`" in line}
    assert set(rows) == {
        "`imagestudio --help`",
        "`imagestudio generate --help`",
        "`imagestudio usage`",
    }
    for row in rows.values():
        assert " s" in row
