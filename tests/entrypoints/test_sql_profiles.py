"""The `local` (SQLite) and `postgres` profiles keep state across runs and processes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from imagestudio.adapters.local_files.asset_bytes import LocalFileAssetBytes
from imagestudio.adapters.s3.asset_bytes import S3AssetBytes
from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql.asset_library import SqlAssetLibrary
from imagestudio.adapters.sql.quota_store import SqlQuotaStore
from imagestudio.adapters.sql.schema import SchemaOutOfDate
from imagestudio.entrypoints.api import GenerateRequest, ImageStudio, Profile, Settings
from imagestudio.entrypoints.cli.main import app
from imagestudio.entrypoints.cli.studio import studio, unstarted_studio
from imagestudio.entrypoints.container import build_container
from imagestudio.entrypoints.settings import SettingsError, StorageKind


async def generations(studio: ImageStudio, user: str = "local") -> int:
    usage = (await studio.usage.execute(user)).unwrap()
    return next(row.used for row in usage.rows if row.name == "image-generation")


def test_local_is_the_default_profile_with_a_sqlite_file_in_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IMAGESTUDIO_PROFILE")
    settings = Settings(data_dir=tmp_path)
    assert settings.profile is Profile.LOCAL
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'imagestudio.db'}"
    container = build_container(settings)
    assert isinstance(container.quota(), SqlQuotaStore)
    assert isinstance(container.asset_bytes(), LocalFileAssetBytes)
    assert isinstance(container.asset_library(), SqlAssetLibrary)


async def test_the_local_profile_keeps_usage_across_runs(tmp_path: Path) -> None:
    for expected in (1, 2):
        local = await ImageStudio.connect(profile=Profile.LOCAL, data_dir=tmp_path)
        await local.generate.execute(GenerateRequest(user_id="local", prompt="a kite"))
        assert await generations(local) == expected
        await local.aclose()


async def test_the_postgres_profile_shares_state_between_studios(
    postgres_url: str, tmp_path: Path
) -> None:
    # No key is configured and the postgres profile has no offline provider unless asked.
    shared = {"database_url": postgres_url, "data_dir": tmp_path, "offline_provider": True}
    first = ImageStudio.open(profile=Profile.POSTGRES, **shared)
    with pytest.raises(SchemaOutOfDate):
        await first.start()  # a PostgreSQL database is never migrated behind the operator's back

    await schema.upgrade(first.container.engine())
    await first.start()
    second = await ImageStudio.connect(profile=Profile.POSTGRES, **shared)
    await first.generate.execute(GenerateRequest(user_id="local", prompt="a kite", variations=2))

    assert await generations(second) == 2
    await first.aclose()
    await second.aclose()


def test_the_postgres_profile_needs_a_database_url(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="IMAGESTUDIO_DATABASE_URL"):
        build_container(Settings(profile=Profile.POSTGRES, data_dir=tmp_path)).quota()


def test_s3_storage_needs_a_bucket(tmp_path: Path) -> None:
    settings = Settings(profile=Profile.TEST, data_dir=tmp_path, storage=StorageKind.S3)
    with pytest.raises(SettingsError, match="IMAGESTUDIO_S3_BUCKET"):
        build_container(settings).assets()


def test_s3_storage_is_chosen_by_settings(tmp_path: Path) -> None:
    settings = Settings(
        profile=Profile.TEST,
        data_dir=tmp_path,
        storage=StorageKind.S3,
        s3_bucket="pictures",
        s3_endpoint_url="http://127.0.0.1:9",
        s3_allow_http=True,
    )
    assert isinstance(build_container(settings).asset_bytes(), S3AssetBytes)


class TestTheCliOnTheLocalProfile:
    runner = CliRunner()

    @pytest.fixture(autouse=True)
    def local_profile(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("IMAGESTUDIO_PROFILE", "local")

    def invoke(self, *args: str) -> object:
        studio.cache_clear()
        unstarted_studio.cache_clear()  # a new CLI process each time
        return self.runner.invoke(app, list(args))

    def test_usage_grows_from_one_command_to_the_next(self) -> None:
        for _ in range(2):
            assert self.invoke("generate", "a kite").exit_code == 0  # type: ignore[attr-defined]
        usage = self.invoke("usage", "--json")
        rows = {row["name"]: row for row in json.loads(usage.stdout)["rows"]}  # type: ignore[attr-defined]
        assert rows["image-generation"]["used"] == 2

    def test_db_upgrade_and_current_report_the_revision(self) -> None:
        upgraded = self.invoke("db", "upgrade")
        again = self.invoke("db", "upgrade")
        current = self.invoke("db", "current")

        assert "schema upgraded from nothing to" in upgraded.stdout  # type: ignore[attr-defined]
        assert "already current" in again.stdout  # type: ignore[attr-defined]
        assert "needed:" in current.stdout  # type: ignore[attr-defined]
