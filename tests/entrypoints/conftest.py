"""Entry-point tests run the real container on the `test` profile (or `offline` in a tmp dir)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from imagestudio.entrypoints.cli.studio import studio, unstarted_studio


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in ("PROFILE", "STORAGE", "DEFAULT_PLAN", "DEFAULT_USER", "OFFLINE_PRICE_USD"):
        monkeypatch.delenv(f"IMAGESTUDIO_{name}", raising=False)
    monkeypatch.setenv("IMAGESTUDIO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IMAGESTUDIO_PROFILE", "test")
    studio.cache_clear()
    unstarted_studio.cache_clear()
    yield
    studio.cache_clear()
    unstarted_studio.cache_clear()


@pytest.fixture
def picture(tmp_path: Path) -> Path:
    path = tmp_path / "picture.png"
    image = Image.new("RGB", (256, 192), (200, 120, 40))
    for x in range(96, 160):
        for y in range(64, 128):
            image.putpixel((x, y), (20, 60, 200))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path
