"""The CLI on a SQLite file it cannot use as it is: one `error:` line saying what is wrong and
what to do, the documented exit code, no traceback, and nothing charged."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from imagestudio.adapters.sql import schema

CLI = [sys.executable, "-c", "from imagestudio.entrypoints.cli.main import run; run()"]


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("IMAGESTUDIO_")}
    environment |= {
        "IMAGESTUDIO_DATA_DIR": str(data),
        "IMAGESTUDIO_SIGNING_KEY": "k" * 32,
        "IMAGESTUDIO_PROFILE": "local",
    }
    return subprocess.run(
        [*CLI, *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=data.parent,
    )


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert "unexpected" not in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def newer(tmp_path: Path) -> Path:
    """A data folder whose database a newer imagestudio upgraded past this version's head."""
    data = tmp_path / "data"
    assert cli(data, "usage").returncode == 0
    with sqlite3.connect(data / "imagestudio.db") as database:
        database.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    return data


@pytest.mark.parametrize("command", [["usage"], ["generate", "a kite"], ["db", "upgrade"]])
def test_a_database_from_a_newer_version_says_so_and_exits_2(
    newer: Path, command: list[str]
) -> None:
    done = cli(newer, *command)
    assert done.returncode == 2, done.stderr
    said = one_error_line(done)
    assert "9999_from_the_future" in said
    assert "newer imagestudio" in said
    assert "db upgrade" not in said  # it cannot help: this version knows no such revision
    assert done.stdout == ""


def test_db_current_reports_a_newer_database_as_not_current(newer: Path) -> None:
    done = cli(newer, "db", "current")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("database: 9999_from_the_future; needed: ")


def test_every_shipped_revision_is_known() -> None:
    assert schema.head_revision() in schema.known_revisions()
    assert len(schema.known_revisions()) >= 13
