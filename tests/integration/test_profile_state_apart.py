"""Each profile keeps its state apart: with one data directory for all of them, a sandbox run's
charges, ledger lines and files never land in the local library, and one profile's garbage
collection never takes another's files for leftovers."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sandbox_studio import USER, sandbox_studio

from imagestudio.application.use_cases.export_usage import UsageExport
from imagestudio.application.use_cases.generate import GenerateRequest
from imagestudio.application.use_cases.usage import UsageReport
from imagestudio.domain.usage_record import UsageRecord
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.settings import Profile, Settings

ON_DISK = [profile for profile in Profile if profile is not Profile.TEST]


@pytest.mark.parametrize(("one", "other"), list(itertools.combinations(ON_DISK, 2)))
def test_no_two_profiles_share_a_file_or_folder(
    one: Profile, other: Profile, tmp_path: Path
) -> None:
    first = Settings(profile=one, data_dir=tmp_path, database_url=_url(one, tmp_path))
    second = Settings(profile=other, data_dir=tmp_path, database_url=_url(other, tmp_path))

    for mine, theirs in ((first, second), (second, first)):
        assert not mine.assets_dir.is_relative_to(theirs.assets_dir)
        assert mine.profile_dir != theirs.profile_dir
    assert first.effective_database_url != second.effective_database_url


def _url(profile: Profile, data_dir: Path) -> str | None:
    """The postgres profile needs a database of its own: one per profile here, as in life."""
    return (
        f"postgresql://imagestudio@localhost/{data_dir.name}"
        if profile is Profile.POSTGRES
        else None
    )


def test_the_local_profile_stays_where_it_always_was(tmp_path: Path) -> None:
    settings = Settings(profile=Profile.LOCAL, data_dir=tmp_path)
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'imagestudio.db'}"
    assert settings.assets_dir == tmp_path / "assets"


async def test_sandbox_charges_stay_out_of_the_local_usage_ledger_and_library(
    tmp_path: Path,
) -> None:
    local = await ImageStudio.connect(profile=Profile.LOCAL, data_dir=tmp_path)
    try:
        made_here = (
            await local.generate.execute(GenerateRequest(user_id=USER, prompt="a local fox"))
        ).unwrap()
    finally:
        await local.aclose()

    async with sandbox_studio(tmp_path) as (sandbox, _):
        request = GenerateRequest(user_id=USER, prompt="a kite", model_id="wavespeed/flux-dev")
        charged = (await sandbox.generate.execute(request)).unwrap()
        sandbox_usage = (await sandbox.usage.execute(USER)).unwrap()
        sandbox_assets = (await sandbox.list_assets.execute(USER, limit=50)).unwrap().items
        sandbox_lines = await _lines(sandbox)
        # A gc of the sandbox's store, with no margin, must not see the local file as its own.
        gc = await sandbox.collect_garbage.execute(margin=timedelta(0), dry_run=True)
    assert charged.charged > 0
    assert [asset.id for asset in sandbox_assets] == [charged.assets[0].id]
    assert _spent(sandbox_usage) == charged.charged
    assert {line.operation_id for line in sandbox_lines} == {charged.operation.id}
    assert gc.orphans == ()

    local = await ImageStudio.connect(profile=Profile.LOCAL, data_dir=tmp_path)
    try:
        usage = (await local.usage.execute(USER)).unwrap()
        assets = (await local.list_assets.execute(USER, limit=50)).unwrap().items
        lines = await _lines(local)
        gc = await local.collect_garbage.execute(margin=timedelta(0), dry_run=True)
    finally:
        await local.aclose()
    assert _spent(usage) == 0
    generations = next(row for row in usage.rows if row.name == "image-generation")
    assert generations.used == 1
    assert [asset.id for asset in assets] == [made_here.assets[0].id]
    assert {line.operation_id for line in lines} == {made_here.operation.id}
    assert gc.orphans == ()


def _spent(usage: UsageReport) -> int:
    return next(row.used for row in usage.rows if row.name == "spend")


async def _lines(studio: ImageStudio) -> tuple[UsageRecord, ...]:
    since = datetime(2000, 1, 1, tzinfo=UTC)
    return (await studio.export_usage.execute(UsageExport(since=since))).unwrap()
