"""The README's embedding examples run as written."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_example(marker: str) -> str:
    """The python block right after `<!-- marker -->`, exactly as the README shows it."""
    text = README.read_text()
    found = re.search(rf"<!-- {marker} -->\s*```python\n(.*?)```", text, re.DOTALL)
    assert found, f"README lost its {marker}"
    return found.group(1)


def run_example(marker: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    script = tmp_path / f"{marker}.py"
    script.write_text(readme_example(marker))
    runpy.run_path(str(script), run_name="__main__")
    return capsys.readouterr().out


def test_the_readme_embedding_example_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = run_example("embedding-example", tmp_path, capsys)
    assert "2 images, charged 0 micro-dollars" in printed
    assert "used 2 of 10" in printed


def test_the_readme_sync_example_runs_without_an_event_loop(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = run_example("embedding-sync-example", tmp_path, capsys)
    assert "bob got a 1024×1024 image/png" in printed
    assert "bob's plan: basic" in printed


def test_the_readme_ledger_example_keeps_the_apps_books_in_production(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    printed = run_example("embedding-adapter-example", tmp_path, capsys)
    assert "production: charged $0.04; our books: ['local succeeded $0.04']" in printed


def test_the_readme_ledger_example_keeps_our_ledger_elsewhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("APP_ENV", raising=False)
    printed = run_example("embedding-adapter-example", tmp_path, capsys)
    assert "development: charged $0.04; our books: []" in printed
