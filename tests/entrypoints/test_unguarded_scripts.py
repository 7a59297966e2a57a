"""A script that embeds imagestudio without `if __name__ == "__main__":`. Local image work runs
in child processes, which import the script's main module again: the whole script ran again in
every one of them, running (and charging) each operation made before the local one a second
time, while the local operation itself succeeded. Now the child refuses to build a studio, and
the local operation raises RuntimeError, its call released, as the README says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.api import Profile
from imagestudio.entrypoints.sync_api import SyncImageStudio

SIGNING_KEY = "k" * 32
SCRIPT = f"""
import sys

from imagestudio.application.requests import ImageInput
from imagestudio.entrypoints.api import CompressSpec, GenerateRequest, Profile
from imagestudio.entrypoints.sync_api import SyncImageStudio

settings = dict(profile=Profile.LOCAL, data_dir=sys.argv[1], signing_key="{SIGNING_KEY}")
with SyncImageStudio(offline_price_usd="0.02", **settings) as studio:
    made = studio.generate.execute(GenerateRequest(user_id="local", prompt="a kite")).unwrap()
    kite = ImageInput(asset_id=made.assets[0].id)
    try:
        studio.compress.execute("local", kite, CompressSpec(quality=50))
    except RuntimeError as error:
        print("refused:", error)
"""


def test_a_script_without_the_main_guard_runs_each_operation_once(tmp_path: Path) -> None:
    script = tmp_path / "unguarded.py"
    script.write_text(SCRIPT)
    data = tmp_path / "data"

    done = subprocess.run(
        [sys.executable, str(script), str(data)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=tmp_path,
    )

    assert done.returncode == 0, done.stderr
    assert "refused: an image worker's child process failed" in done.stdout, done.stdout
    assert 'if __name__ == "__main__":' in done.stdout
    with SyncImageStudio(profile=Profile.LOCAL, data_dir=data, signing_key=SIGNING_KEY) as studio:
        lines = studio.list_ledger.execute("local").unwrap().items
        usage = studio.usage.execute("local").unwrap()
    assert [line.kind for line in lines] == [OperationKind.TEXT_TO_IMAGE]
    assert sum(line.user_charge for line in lines) == 20_000
    assert [row.name for row in usage.rows if row.held] == []


HOSTING = """
from imagestudio.entrypoints.api import Profile
from imagestudio.entrypoints.sync_api import SyncImageStudio

studio = SyncImageStudio(profile=Profile.TEST)


def plan(answers):
    answers.put(studio.usage.execute("local").unwrap().plan)
"""
GUARDED = """
import multiprocessing

import hosting

if __name__ == "__main__":
    context = multiprocessing.get_context("spawn")
    answers = context.Queue()
    child = context.Process(target=hosting.plan, args=(answers,))
    child.start()
    print("the child's studio:", answers.get(timeout=120))
    child.join()
"""


def test_a_studio_a_module_builds_as_a_starting_child_imports_it_is_built(
    tmp_path: Path,
) -> None:
    """Only the main module run again is refused: a child of the host's own, importing a module
    that keeps a studio, imports it while still starting too."""
    (tmp_path / "hosting.py").write_text(HOSTING)
    (tmp_path / "guarded.py").write_text(GUARDED)

    done = subprocess.run(
        [sys.executable, str(tmp_path / "guarded.py")],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=tmp_path,
    )

    assert done.returncode == 0, done.stderr
    assert "the child's studio: local" in done.stdout, done.stderr
