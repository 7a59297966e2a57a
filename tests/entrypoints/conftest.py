"""Entry-point tests run the real container on the `test` profile (or `offline` in a tmp dir)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from PIL import Image
from typer.testing import CliRunner

from imagestudio.entrypoints.cli.main import app
from imagestudio.entrypoints.cli.studio import studio, unstarted_studio


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in ("PROFILE", "STORAGE", "DEFAULT_PLAN", "DEFAULT_USER", "OFFLINE_PRICE_USD"):
        monkeypatch.delenv(f"IMAGESTUDIO_{name}", raising=False)
    for name in ("WAVESPEED_API_KEY", "STABILITY_API_KEY"):
        monkeypatch.delenv(name, raising=False)
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


class Cli:
    """The `imagestudio` command; with `fresh_process`, each invocation starts from nothing but
    the database, as a new process would."""

    def __init__(self, *, fresh_process: bool) -> None:
        self.runner = CliRunner()
        self.fresh_process = fresh_process

    def invoke(self, *args: str) -> Result:
        if self.fresh_process:
            studio.cache_clear()
            unstarted_studio.cache_clear()
        return self.runner.invoke(app, list(args))

    def ok(self, *args: str) -> str:
        """Run a command that must succeed; its standard output."""
        result = self.invoke(*args)
        assert result.exit_code == 0, result.output
        return result.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json"))


@pytest.fixture
def cli() -> Cli:
    """The CLI on the `test` profile: in memory, so every invocation shares one process."""
    return Cli(fresh_process=False)


@pytest.fixture
def local_cli(monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The CLI on the `local` profile: a SQLite file in a temporary data directory."""
    monkeypatch.setenv("IMAGESTUDIO_PROFILE", "local")
    return Cli(fresh_process=True)
