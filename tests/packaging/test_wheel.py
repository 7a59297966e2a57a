"""The folders install under one import root in a wheel, with their type markers and data."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_maps_every_folder_under_imagestudio(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(tmp_path.glob("imagestudio-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for layer in ("domain", "application", "adapters", "entrypoints"):
        assert f"imagestudio/{layer}/__init__.py" in names
        assert f"imagestudio/{layer}/py.typed" in names
    assert "imagestudio/adapters/catalog/models.toml" in names
    assert "imagestudio/adapters/sql/migrations/env.py" in names
    assert "imagestudio/adapters/sql/migrations/script.py.mako" in names
    assert any(
        name.startswith("imagestudio/adapters/sql/migrations/versions/0001") for name in names
    )
    # The studio pages' templates and static files ship inside the package (nothing from a CDN).
    pages = "imagestudio/entrypoints/http/pages"
    for shipped in ("templates/base.html", "static/htmx.min.js", "static/studio.css"):
        assert f"{pages}/{shipped}" in names
    assert not any(name.startswith(("domain/", "application/", "tests/")) for name in names)
