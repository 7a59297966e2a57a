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
