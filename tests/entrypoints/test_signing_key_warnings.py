"""IMAGESTUDIO_SIGNING_KEY unset is said where it makes a difference, and only there.

- A local SQLite data directory: webhook secrets are derived with a key file made beside the
  database, as lasting as the database itself, so no command says anything (the first command in
  a fresh data directory warned about webhooks, whether or not any were ever sent).
- A database several hosts may share (PostgreSQL): each host's key file would derive other
  secrets, so the host that makes its key file is told, once.
- Asset links are signed with a key of the process when it is unset: said by the process that
  signs one (the HTTP server, webhooks with IMAGESTUDIO_PUBLIC_URL), not by one that never does.
"""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from imagestudio.entrypoints.container import build_container
from imagestudio.entrypoints.settings import Profile, Settings
from imagestudio.entrypoints.webhook_wiring import KEY_FILE, webhook_server_key

CLI = [sys.executable, "-c", "from imagestudio.entrypoints.cli.main import run; run()"]
UNSET = "IMAGESTUDIO_SIGNING_KEY is unset"


def test_no_local_command_warns_and_the_key_file_keeps_each_secret(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("IMAGESTUDIO_")}
    environment |= {
        "IMAGESTUDIO_DATA_DIR": str(tmp_path),
        "IMAGESTUDIO_PROFILE": "local",
        "IMAGESTUDIO_OFFLINE_PRICE_USD": "0.02",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*CLI, *args], env=environment, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done

    ran = [
        run("usage"),
        run("generate", "a heron"),
        run("operations", "list"),
        run("webhooks", "secret"),
        run("webhooks", "secret"),
    ]

    for done in ran:
        assert UNSET not in done.stderr, (done.args, done.stderr)
    assert ran[3].stdout == ran[4].stdout and "whsec_" in ran[3].stdout
    key = tmp_path / KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_a_shared_database_host_is_told_once_when_it_makes_its_own_key(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shared = Settings(
        profile=Profile.POSTGRES,
        database_url="postgresql://studio@db.example/studio",
        data_dir=tmp_path,
    )
    with caplog.at_level(logging.WARNING):
        first = webhook_server_key(shared)
        told = [record.getMessage() for record in caplog.records]
        caplog.clear()
        again = webhook_server_key(shared)

    assert first == again
    (warning,) = told
    assert UNSET in warning and "every host sharing the database" in warning
    assert caplog.records == []


def test_asset_links_warn_only_in_a_process_that_signs_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    quiet = build_container(Settings(profile=Profile.LOCAL, data_dir=tmp_path / "quiet"))
    public = build_container(
        Settings(
            profile=Profile.LOCAL,
            data_dir=tmp_path / "public",
            public_url="https://studio.example",
        )
    )
    with caplog.at_level(logging.WARNING):
        quiet.deliver_webhooks()  # what keep_sweeping builds in every long-running process
        said_without_links = [record.getMessage() for record in caplog.records]
        caplog.clear()
        public.asset_links().sign("alice", "ast_1")  # as the HTTP server and webhooks do
        said_with_links = [record.getMessage() for record in caplog.records]

    assert said_without_links == []
    (warning,) = said_with_links
    assert warning.startswith(f"{UNSET}: asset links are signed with a key drawn for this process")
