"""Each module of the domain and application layers imports on its own, first, as an
application's first `import` of ours would: `from imagestudio.domain.money import format_usd`
(the README's own example) failed on a circular import through the errors package, hidden
wherever something else of ours had been imported before. The layers' modules are listed from
the source tree, so a new module is covered without editing this file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("domain", "application")

# One child per module, forked from a parent that has imported nothing of ours (forking costs
# far less than an interpreter per module).
EACH_ALONE = """
import importlib, os, sys
failed = []
for name in sys.argv[1:]:
    child = os.fork()
    if child == 0:
        try:
            importlib.import_module(name)
        except BaseException as error:
            sys.stderr.write(f"{name}: {type(error).__name__}: {error}\\n")
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(child, 0)
    if status:
        failed.append(name)
sys.exit(1 if failed else 0)
"""


def modules() -> list[str]:
    found = []
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found.append(".".join(("imagestudio", *parts)))
    return found


def test_every_domain_and_application_module_imports_alone() -> None:
    names = modules()
    assert "imagestudio.domain.money" in names and len(names) > 100
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", EACH_ALONE, *names],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=environment,
        cwd=ROOT.parent,  # not the checkout: its folders are not the installed package
    )
    assert done.returncode == 0, done.stderr
