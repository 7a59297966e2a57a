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


@pytest.mark.parametrize(
    "content",
    [b"SQLite format 3\x00" + bytes(range(256)) * 40, b"not a database at all, " * 400],
    ids=["damaged", "another-file"],
)
def test_a_file_that_is_no_sqlite_database_cannot_be_used_and_says_what_sqlite_said(
    tmp_path: Path, content: bytes
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "imagestudio.db").write_bytes(content)
    for command in (["usage"], ["generate", "a kite"]):
        done = cli(data, *command)
        assert done.returncode == 1, done.stderr
        said = one_error_line(done)
        assert said.startswith("error: the database cannot be used: "), said
    assert not (data / "assets").exists()  # nothing was made, so nothing was charged


def test_a_folder_where_the_database_file_should_be_is_named_as_a_bad_setting(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    (data / "imagestudio.db").mkdir(parents=True)
    done = cli(data, "generate", "a kite")
    assert done.returncode == 2, done.stderr
    said = one_error_line(done)
    assert (
        said == f"error: IMAGESTUDIO_DATA_DIR: the database {data / 'imagestudio.db'} is not a file"
    )
    assert "Traceback" not in done.stderr
