"""Shared test set-up: hypothesis profiles (fast and deterministic on CI) and database URLs."""

from __future__ import annotations

import contextlib
import itertools
import os
import re
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, settings
from support.postgres_server import (
    PostgresUnavailable,
    ThrowawayPostgres,
    may_skip_without_postgres,
)

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


# -- databases -------------------------------------------------------------------------------
# `database_url` runs a test once on SQLite and once on a real PostgreSQL (marked `postgres`);
# `postgres_url` and `sqlite_url` give one of them. The PostgreSQL server is started once per
# run, only when a test first asks for it (tests/support/postgres_server.py).

_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[ThrowawayPostgres]:
    """One throwaway PostgreSQL server for the whole run; skipped only when allowed, never on CI."""
    try:
        server = ThrowawayPostgres()
    except PostgresUnavailable as missing:
        if may_skip_without_postgres():
            pytest.skip(str(missing))
        raise
    with server:
        yield server


@pytest.fixture
def postgres_url(
    postgres_server: ThrowawayPostgres, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test (a plain `postgresql://` URL)."""
    slug = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower()).strip("_")[:40]
    name = f"t{next(_database_numbers)}_{slug}"
    yield postgres_server.create_database(name)
    with contextlib.suppress(psycopg.Error):
        postgres_server.drop_database(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database file for this test (async driver)."""
    return f"sqlite+aiosqlite:///{tmp_path / 'imagestudio.db'}"


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest) -> str:
    """The test runs once per database: a fresh SQLite file, then a fresh PostgreSQL database."""
    fixture = {"sqlite": "sqlite_url", "postgresql": "postgres_url"}[request.param]
    return str(request.getfixturevalue(fixture))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests asking for the PostgreSQL server directly are marked `postgres` too."""
    for item in items:
        if "postgres_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)
