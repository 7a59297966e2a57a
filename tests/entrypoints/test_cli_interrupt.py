"""Ctrl-C during a paid operation: exit code 130 and one `error: interrupted` line saying what
became of the operation and what to run; the operation, already sent, is held until
`imagestudio reconcile` settles it, charged once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from imagestudio.entrypoints.cli.running import INTERRUPTED

CLI = [sys.executable, "-c", "from imagestudio.entrypoints.cli.main import run; run()"]


def test_ctrl_c_after_the_send_says_so_and_reconcile_settles_it_once(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("IMAGESTUDIO_")}
    environment |= {
        "IMAGESTUDIO_DATA_DIR": str(tmp_path),
        "IMAGESTUDIO_SIGNING_KEY": "k" * 32,
        "IMAGESTUDIO_PROFILE": "local",
        "IMAGESTUDIO_OFFLINE_PRICE_USD": "0.02",
        "IMAGESTUDIO_OFFLINE_SLOW_SECONDS": "30",
    }

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*CLI, *args], env=environment, capture_output=True, text=True, timeout=60, check=False
        )

    running = subprocess.Popen(
        [*CLI, "generate", "a slow heron [offline:slow]"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not sent(tmp_path / "imagestudio.db"):
        assert running.poll() is None, running.communicate()
        assert time.monotonic() < deadline, "the operation was never sent"
        time.sleep(0.05)
    running.send_signal(signal.SIGINT)
    out, err = running.communicate(timeout=30)

    assert running.returncode == 130, (out, err)
    assert out == ""
    assert err.splitlines()[-1] == f"error: {INTERRUPTED}"
    assert cli("reconcile").returncode == 0
    (settled,) = json.loads(cli("operations", "list", "--json").stdout)["items"]
    assert settled["status"] == "succeeded"
    rows = json.loads(cli("usage", "--json").stdout)["rows"]
    spend = next(row for row in rows if row["name"] == "spend")
    assert (spend["used"], spend["held"]) == (20_000, 0)


def sent(database: Path) -> bool:
    if not database.exists():
        return False
    try:
        with sqlite3.connect(database) as connection:
            found = connection.execute(
                "SELECT count(*) FROM operations WHERE status = 'submitted'"
            ).fetchone()
    except sqlite3.OperationalError:  # the schema is being made
        return False
    return bool(found and found[0])


def test_ctrl_c_while_another_process_holds_the_write_lock_ends_at_once(tmp_path: Path) -> None:
    """SQLite's busy timeout is 30 s; Ctrl-C while a command waits for the write lock (here at
    start-up, making sure the default user exists) ends it in well under that, having written
    nothing: the wait is made of short tries, and a cancelled one tries no more."""
    environment = local_environment(tmp_path)
    database = tmp_path / "imagestudio.db"
    assert run_cli(environment, "usage").returncode == 0  # the schema and the default user
    before = database_rows(database)

    with write_lock(database):
        waiting = subprocess.Popen(
            [*CLI, "plans", "list"],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(3)  # started, and waiting for the lock
        assert waiting.poll() is None, waiting.communicate()
        waiting.send_signal(signal.SIGINT)
        interrupted_at = time.monotonic()
        out, err = waiting.communicate(timeout=60)
        took = time.monotonic() - interrupted_at

    assert waiting.returncode == 130, (out, err)
    assert took < 10, took
    assert err.splitlines()[-1] == "error: interrupted"
    assert database_rows(database) == before


def test_ctrl_c_while_settling_waits_for_the_write_lock_leaves_it_held_for_recovery(
    tmp_path: Path,
) -> None:
    """The provider answered, and settling waits for another process's write lock: Ctrl-C ends
    the command at once, and the operation stays held for recovery, with nothing half-kept."""
    environment = local_environment(tmp_path) | {"IMAGESTUDIO_OFFLINE_SLOW_SECONDS": "2"}
    database = tmp_path / "imagestudio.db"
    running = subprocess.Popen(
        [*CLI, "generate", "a slow heron [offline:slow]"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not sent(database):
        assert running.poll() is None, running.communicate()
        assert time.monotonic() < deadline, "the operation was never sent"
        time.sleep(0.02)
    with write_lock(database):
        time.sleep(4)  # the provider has answered; settling waits for the lock
        assert running.poll() is None, running.communicate()
        running.send_signal(signal.SIGINT)
        interrupted_at = time.monotonic()
        out, err = running.communicate(timeout=60)
        took = time.monotonic() - interrupted_at

    assert running.returncode == 130, (out, err)
    assert took < 10, took
    assert err.splitlines()[-1] == f"error: {INTERRUPTED}"
    # Nothing of the settlement was kept: still submitted, its price held, no output stored;
    # the sweep and reconciliation settle it once its lease runs out, as after a crash.
    (held,) = json.loads(run_cli(environment, "operations", "list", "--json").stdout)["items"]
    assert held["status"] == "submitted"
    rows = json.loads(run_cli(environment, "usage", "--json").stdout)["rows"]
    spend = next(row for row in rows if row["name"] == "spend")
    assert (spend["used"], spend["held"]) == (0, 20_000)
    assert json.loads(run_cli(environment, "assets", "list", "--json").stdout)["items"] == []


def local_environment(data_dir: Path) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("IMAGESTUDIO_")}
    return environment | {
        "IMAGESTUDIO_DATA_DIR": str(data_dir),
        "IMAGESTUDIO_SIGNING_KEY": "k" * 32,
        "IMAGESTUDIO_PROFILE": "local",
        "IMAGESTUDIO_OFFLINE_PRICE_USD": "0.02",
    }


def run_cli(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=environment, capture_output=True, text=True, timeout=60, check=False
    )


@contextmanager
def write_lock(database: Path) -> Iterator[None]:
    """The write lock, held by another process's connection (what SQLite sees either way)."""
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def database_rows(database: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(database) as connection:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        return {
            table: connection.execute(f'SELECT * FROM "{table}"').fetchall() for table in tables
        }
