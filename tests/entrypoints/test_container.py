"""Profiles and settings choose the adapters; use cases never change."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from imagestudio.adapters.local_files.asset_bytes import LocalFileAssetBytes
from imagestudio.adapters.memory.asset_bytes import InMemoryAssetBytes
from imagestudio.adapters.memory.asset_library import InMemoryAssetLibrary
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.api import ImageStudio, OperationRequest
from imagestudio.entrypoints.container import build_container
from imagestudio.entrypoints.settings import Profile, Settings, StorageKind


def test_the_offline_profile_keeps_asset_files_under_the_data_directory(tmp_path: Path) -> None:
    container = build_container(Settings(profile=Profile.OFFLINE, data_dir=tmp_path))
    assert isinstance(container.asset_bytes(), LocalFileAssetBytes)
    # State lives in the process, so the rows describing those files do too.
    assert isinstance(container.asset_library(), InMemoryAssetLibrary)


def test_the_test_profile_keeps_everything_in_memory(tmp_path: Path) -> None:
    container = build_container(Settings(profile=Profile.TEST, data_dir=tmp_path))
    assert isinstance(container.asset_bytes(), InMemoryAssetBytes)


def test_a_single_setting_overrides_the_profile_preset(tmp_path: Path) -> None:
    settings = Settings(profile=Profile.OFFLINE, data_dir=tmp_path, storage=StorageKind.MEMORY)
    assert isinstance(build_container(settings).asset_bytes(), InMemoryAssetBytes)


def test_settings_come_from_imagestudio_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("IMAGESTUDIO_PROFILE", "test")
    monkeypatch.setenv("IMAGESTUDIO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("IMAGESTUDIO_DEFAULT_PLAN", "pro")
    settings = Settings()
    assert (settings.profile, settings.data_dir, settings.default_plan) == (
        Profile.TEST,
        tmp_path,
        "pro",
    )


def test_the_reconcile_delays_come_from_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("IMAGESTUDIO_RECONCILE_AFTER_SECONDS", "4")
    monkeypatch.setenv("IMAGESTUDIO_RECONCILE_RECHECK_SECONDS", "1.5")
    timing = build_container(Settings(profile=Profile.TEST, data_dir=tmp_path)).timing()
    assert (timing.unresolved_after, timing.recheck_after) == (
        timedelta(seconds=4),
        timedelta(seconds=1.5),
    )
    with pytest.raises(ValidationError):
        Settings(reconcile_recheck_seconds=0)


def test_a_float_offline_price_is_refused() -> None:
    with pytest.raises(ValidationError, match="never a float"):
        Settings(offline_price_usd=0.1)  # type: ignore[arg-type]


async def test_the_offline_price_setting_prices_the_offline_models(tmp_path: Path) -> None:
    studio = ImageStudio.open(profile=Profile.TEST, data_dir=tmp_path, offline_price_usd="0.25")
    quote = await studio.quote.execute(
        OperationRequest(user_id="local", kind=OperationKind.TEXT_TO_IMAGE, prompt="x", outputs=3)
    )
    assert quote.unwrap().amount == 750_000


async def test_the_default_user_can_run_with_no_set_up(tmp_path: Path) -> None:
    studio = ImageStudio.open(profile=Profile.TEST, data_dir=tmp_path)
    usage = await studio.usage.execute("local")
    assert usage.unwrap().plan == "local"


def test_make_demo_runs_again_and_again(tmp_path: Path) -> None:
    env = {**os.environ, "IMAGESTUDIO_DATA_DIR": str(tmp_path), "IMAGESTUDIO_PROFILE": "offline"}
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "imagestudio.entrypoints.demo"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "total charged: $0.00" in done.stdout
        # Part two: the real adapters against the sandbox, each step charged its catalog price.
        assert "stability/generate-core" in done.stdout and "charged $0.03" in done.stdout
        assert "charged $0.024" in done.stdout  # flux-dev, two images from one call
        assert "charged $0.60" in done.stdout  # the async creative upscale
        assert "refused: wavespeed failed (moderation)" in done.stdout
        assert "the sandbox billed 4 tasks" in done.stdout
    assert len(list((tmp_path / "offline" / "assets" / "local").glob("*.png"))) == 6
    assert "the offline profile kept the demo's books in this process" in done.stdout
    stored = (tmp_path / "sandbox" / "assets" / "local").iterdir()
    assert len(list(stored)) == 10  # 5 outputs a run, no description files beside them


async def test_keep_sweeping_settles_a_dead_operation_in_the_background(tmp_path: Path) -> None:
    studio = await ImageStudio.connect(profile=Profile.TEST, data_dir=tmp_path)
    ports = studio.container.ports()
    now = ports.clock.now()
    dead = ImageOperation(
        id="op_dead",
        user_id="local",
        kind=OperationKind.TEXT_TO_IMAGE,
        model_id="offline/text-to-image",
        provider="offline",
        prompt="x",
        input_digests=(),
        parameters={},
        outputs_requested=1,
        created_at=now,
        updated_at=now,
        status=OperationStatus.SUBMITTED,
    )
    await ports.operations.save(dead)
    await ports.leases.hold(dead.id, "a-dead-worker", now - timedelta(seconds=1))

    sweeping = asyncio.create_task(studio.keep_sweeping(every=0.01))
    for _ in range(200):
        if (await ports.operations.get(dead.id)).status is OperationStatus.UNKNOWN:  # type: ignore[union-attr]
            break
        await asyncio.sleep(0.01)
    sweeping.cancel()

    assert (await ports.operations.get(dead.id)).status is OperationStatus.UNKNOWN  # type: ignore[union-attr]
