"""The throwaway PostgreSQL server the database tests run against is real, isolated and plain."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from support.postgres_server import (
    PostgresUnavailable,
    ThrowawayPostgres,
    find_bin_dir,
    may_skip_without_postgres,
)


def test_the_server_answers_a_query(postgres_server: ThrowawayPostgres) -> None:
    with psycopg.connect(postgres_server.url) as conn:
        row = conn.execute("select 1").fetchone()
        version = conn.execute("show server_version").fetchone()
    assert row == (1,)
    assert version is not None
    assert str(version[0]).split(".")[0] == postgres_server.bin_dir.parent.name


def test_the_url_is_plain_postgresql_on_loopback(postgres_server: ThrowawayPostgres) -> None:
    url = urlsplit(postgres_server.url)
    assert url.scheme == "postgresql"  # no driver suffix: users write it this way
    assert url.username == "postgres"
    assert url.password is None
    assert url.hostname == "127.0.0.1"
    assert url.port == postgres_server.port
    assert url.path == "/postgres"


def test_it_listens_on_loopback_only_with_durability_off(
    postgres_server: ThrowawayPostgres,
) -> None:
    with psycopg.connect(postgres_server.url) as conn:
        settings = {
            name: conn.execute(f"show {name}").fetchone()
            for name in ("listen_addresses", "fsync", "max_connections")
        }
    assert settings == {
        "listen_addresses": ("127.0.0.1",),
        "fsync": ("off",),
        "max_connections": ("200",),
    }


def test_two_databases_are_isolated(postgres_server: ThrowawayPostgres) -> None:
    first = postgres_server.create_database("isolation_first")
    second = postgres_server.create_database("isolation_second")
    assert urlsplit(first).path == "/isolation_first"
    assert urlsplit(second).path == "/isolation_second"
    with psycopg.connect(first, autocommit=True) as conn:
        conn.execute("create table marker (value int)")
        conn.execute("insert into marker values (1)")
    with psycopg.connect(second, autocommit=True) as conn:
        found = conn.execute("select to_regclass('marker')").fetchone()
        names = conn.execute("select current_database()").fetchone()
    assert found == (None,)
    assert names == ("isolation_second",)
    postgres_server.drop_database("isolation_first")
    postgres_server.drop_database("isolation_second")


def test_each_test_gets_its_own_fresh_database(postgres_url: str) -> None:
    assert postgres_url.startswith("postgresql://postgres@127.0.0.1:")
    with psycopg.connect(postgres_url) as conn:
        tables = conn.execute(
            "select count(*) from pg_tables where schemaname = 'public'"
        ).fetchone()
        encoding = conn.execute("show server_encoding").fetchone()
    assert tables == (0,)
    assert encoding == ("UTF8",)


def test_database_names_are_checked(postgres_server: ThrowawayPostgres) -> None:
    with pytest.raises(ValueError, match="must match"):
        postgres_server.create_database('x"; drop database postgres; --')


def test_stopping_kills_the_server_and_removes_its_directory(
    postgres_server: ThrowawayPostgres,
) -> None:
    with ThrowawayPostgres(postgres_server.bin_dir) as own:
        directory = own.directory
        assert directory is not None
        postmaster = int((directory / "data" / "postmaster.pid").read_text().splitlines()[0])
        with psycopg.connect(own.url) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
        port = own.port
    assert own.directory is None
    assert not directory.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(postmaster, 0)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", connect_timeout=2)
    own.stop()  # twice is harmless


def test_missing_binaries_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PostgresUnavailable, match="apt-get install postgresql"):
        find_bin_dir(tmp_path)


def test_skipping_is_never_allowed_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGESTUDIO_ALLOW_NO_POSTGRES", "1")
    monkeypatch.setenv("CI", "true")
    assert not may_skip_without_postgres()
    monkeypatch.delenv("CI")
    assert may_skip_without_postgres()
    monkeypatch.delenv("IMAGESTUDIO_ALLOW_NO_POSTGRES")
    assert not may_skip_without_postgres()


async def test_database_url_opens_on_both_databases(
    database_url: str, request: pytest.FixtureRequest
) -> None:
    url = make_url(database_url)
    on_postgres = url.get_backend_name() == "postgresql"
    assert (request.node.get_closest_marker("postgres") is not None) == on_postgres
    if on_postgres:
        assert url.drivername == "postgresql"  # plain; the app picks the async driver
        url = url.set(drivername="postgresql+psycopg")
    else:
        assert url.drivername == "sqlite+aiosqlite"
        assert url.database is not None
        assert url.database.endswith("/imagestudio.db")
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("select 1"))).scalar_one() == 1
    finally:
        await engine.dispose()
