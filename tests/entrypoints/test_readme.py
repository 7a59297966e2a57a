"""The README's embedding examples run as written."""

from __future__ import annotations

import inspect
import re
import runpy
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.settings import Profile
from imagestudio.entrypoints.sync_api import SyncImageStudio

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_example(marker: str) -> str:
    """The python block right after `<!-- marker -->`, exactly as the README shows it."""
    text = README.read_text()
    found = re.search(rf"<!-- {marker} -->\s*```python\n(.*?)```", text, re.DOTALL)
    assert found, f"README lost its {marker}"
    return found.group(1)


def run_example(marker: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Run as a user runs it: `python example.py` in a fresh interpreter, whose first import of
    ours is the example's own (run in this process, where the tests had imported everything,
    the adapter example hid a circular import: `domain.money` imported first failed)."""
    script = tmp_path / f"{marker}.py"
    script.write_text(readme_example(marker))
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    capsys.readouterr()
    return done.stdout


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
    read = re.search(r"read (\d+) of its (\d+) bytes", printed)
    assert read and read.group(1) == read.group(2) != "0", printed
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


def public_names(studio: object) -> set[str]:
    """What an application can call on a studio: its use cases, methods and attributes."""
    names = {name for name in vars(studio) if not name.startswith("_")}
    names |= {
        name
        for name, member in inspect.getmembers(type(studio))
        if not name.startswith("_") and callable(member)
    }
    return names


def embedding_section() -> str:
    text = README.read_text()
    start = text.index("## Embedding the use cases")
    return text[start : text.index("\n## ", start + 1)]


def test_the_readme_names_every_public_method_of_the_studio() -> None:
    studio = ImageStudio.open(profile=Profile.TEST)  # built, not connected: nothing to close
    named = set(re.findall(r"`(?:\w+\.)?([a-z_0-9]+)(?:\(|`)", embedding_section()))
    missing = sorted(public_names(studio) - named)
    assert len(public_names(studio)) > 40
    assert missing == [], f"the README's embedding section does not name {missing}"


def test_the_blocking_studio_has_every_use_case_and_method_of_the_async_one() -> None:
    with SyncImageStudio(profile=Profile.TEST) as blocking:
        offered = public_names(blocking)
    studio = ImageStudio.open(profile=Profile.TEST)
    # What only makes sense on the event loop's side; the blocking one has `studio`, `close`.
    asynchronous = {"open", "connect", "start", "aclose", "container"}
    assert sorted(public_names(studio) - asynchronous - offered) == []


def test_the_readme_mounting_example_serves_the_api_under_its_prefix(tmp_path: Path) -> None:
    script = tmp_path / "host.py"
    script.write_text(readme_example("mounting-example"))
    host = runpy.run_path(str(script))["host"]
    with (
        ServedApp(host, lifespan="on", name="host") as served,
        httpx.Client(base_url=served.base_url, timeout=30) as client,
    ):
        assert client.get("/studio/healthz").status_code == 200
        models = client.get("/studio/v1/models")
        assert models.status_code == 200 and models.json()
        assert client.get("/healthz").status_code == 404  # the host's own paths are its own
