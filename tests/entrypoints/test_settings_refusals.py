"""A bad setting ends like a bad option: one `error: settings: IMAGESTUDIO_…` line naming the
setting and what it takes, exit code 2, and never the value given (some settings are secrets).
Every setting is tried with values that are wrong for many kinds of setting, so a new setting
with a constraint is covered without editing this file; the environment's own failures (a data
folder that cannot be made, a database that cannot be reached) are one line too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from imagestudio.entrypoints.cli.main import _first_line
from imagestudio.entrypoints.settings import Settings

# Wrong for a number, a bounded number, a URL, a database URL, a key, a choice, a flag.
WRONG = ("-1", "0", "secret value 7f3a", "ftp://secret-7f3a", "mysql://u:secret-7f3a@h/d", "x")


def refusals() -> list[tuple[str, str, str]]:
    """(setting, value, what the CLI says) for every setting some WRONG value is refused for."""
    found = []
    for name in Settings.model_fields:
        for value in WRONG:
            try:
                Settings(**{name: value})
            except ValidationError as error:
                found.append((name, value, _first_line(error)))
                break
    return found


REFUSALS = refusals()


def test_the_settings_with_a_constraint_are_all_tried() -> None:
    refused = {name for name, _, _ in REFUSALS}
    expected = {
        "profile",
        "database_url",
        "offline_price_usd",
        "wavespeed_base_url",
        "stability_base_url",
        "sandbox_url",
        "s3_endpoint_url",
        "public_url",
        "signing_key",
        "signed_url_seconds",
        "wavespeed_poll_seconds",
        "routing",
        "default_user",  # names the user's asset folder: an unsafe one would lose every output
    }
    assert expected <= refused, expected - refused


@pytest.mark.parametrize(("name", "value", "said"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_refused_setting_is_named_without_its_value(name: str, value: str, said: str) -> None:
    assert said.startswith(f"settings: IMAGESTUDIO_{name.upper()}: "), said
    assert "\n" not in said
    assert value not in said
    assert "secret" not in said
    assert not said.endswith(": "), said  # says what the setting takes
    assert "Value error," not in said  # pydantic's wrapping of our own words


@pytest.mark.parametrize(
    "url", ["sqlite:///relative.db", "sqlite://", "postgres://u@h/d", "postgresql+psycopg://u@h/d"]
)
def test_the_database_urls_people_write_are_taken(url: str) -> None:
    assert Settings(database_url=url).database_url == url


def cli(tmp_path: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    settings = {k: v for k, v in os.environ.items() if not k.startswith("IMAGESTUDIO_")}
    settings |= {
        "IMAGESTUDIO_DATA_DIR": str(tmp_path / "data"),
        "IMAGESTUDIO_SIGNING_KEY": "k" * 32,
    }
    settings |= environment
    return subprocess.run(
        [sys.executable, "-c", "from imagestudio.entrypoints.cli.main import run; run()", "usage"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=settings,
        cwd=tmp_path,  # no .env of the checkout's
    )


@pytest.mark.parametrize(
    ("environment", "code", "said"),
    [
        (
            {"IMAGESTUDIO_DATABASE_URL": "mysql://u:secret-7f3a@h/d"},
            2,
            "error: settings: IMAGESTUDIO_DATABASE_URL: unsupported database 'mysql': give "
            "sqlite:///path/to/file.db or postgresql://user@host/database",
        ),
        (
            {"IMAGESTUDIO_DATA_DIR": "/proc/no-such-folder/data"},
            2,
            "error: IMAGESTUDIO_DATA_DIR: cannot make /proc/no-such-folder/data: No such file or "
            "directory",
        ),
        (
            {"IMAGESTUDIO_DATABASE_URL": "sqlite:////no-such-folder-7f3a/x.db"},
            2,
            "error: IMAGESTUDIO_DATABASE_URL: no folder /no-such-folder-7f3a for the database",
        ),
        (
            {"IMAGESTUDIO_DATABASE_URL": "postgresql://nobody:secret-7f3a@127.0.0.1:1/none"},
            1,
            "error: the database cannot be used: connection failed: ",
        ),
        (
            {"IMAGESTUDIO_DEFAULT_PLAN": "secret-7f3a"},
            2,
            "error: IMAGESTUDIO_DEFAULT_PLAN: no such plan; give one of basic, enterprise, free, "
            "local, pro",
        ),
        (
            {"IMAGESTUDIO_DEFAULT_PLAN": "secret-7f3a", "IMAGESTUDIO_PROFILE": "test"},
            2,
            "error: IMAGESTUDIO_DEFAULT_PLAN: no such plan; give one of ",
        ),
        (
            {"IMAGESTUDIO_ROUTING_PREFERENCE": "stability,secret-7f3a"},
            2,
            "error: IMAGESTUDIO_ROUTING_PREFERENCE: entry 2 names no model or provider; give ",
        ),
        (
            {"IMAGESTUDIO_DATA_DIR": ""},  # read as the current folder: files landed there
            2,
            "error: settings: IMAGESTUDIO_DATA_DIR: give a folder: an empty value names none",
        ),
    ],
    ids=[
        "unsupported-database",
        "data-folder",
        "sqlite-folder",
        "unreachable-postgres",
        "default-plan",
        "default-plan-in-memory",
        "routing-preference",
        "empty-data-folder",
    ],
)
def test_the_command_line_says_it_in_one_line(
    environment: dict[str, str], code: int, said: str, tmp_path: Path
) -> None:
    done = cli(tmp_path, **environment)
    assert done.returncode == code, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(said), lines[0]
    assert "secret" not in done.stderr
    assert not (tmp_path / "data").exists() or "DATA_DIR" not in said
    assert not (tmp_path / "imagestudio.db").exists()  # nothing made in the current folder


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_admin_key_is_no_admin_key_and_the_admin_api_says_it_is_off(
    blank: str, tmp_path: Path
) -> None:
    """It turned the admin API on with a key no request can send: every admin call was 401."""
    from fastapi.testclient import TestClient

    from imagestudio.entrypoints.http.app import create_app
    from imagestudio.entrypoints.settings import Profile

    settings = Settings(profile=Profile.TEST, data_dir=tmp_path, admin_key=blank)
    assert settings.admin_key is None
    with TestClient(create_app(settings)) as client:
        answer = client.get("/v1/admin/plans", headers={"Authorization": "Bearer anything"})
    assert answer.status_code == 403
    assert answer.json()["type"] == "/problems/admin-disabled"
