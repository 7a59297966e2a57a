"""`constraints.txt` pins every distribution `make install` puts in `.venv`, so a fresh checkout
installs what the checks last passed with: a dependency added to `pyproject.toml` without a pin
would float to whatever its newest release is on the day CI runs."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXTRAS = ("dev", "video", "s3")  # the extras `make install` asks for
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")


def _name(text: str) -> str:
    """A distribution's name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", text).lower()


def _requirement_name(requirement: str) -> str:
    found = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert found, requirement
    return _name(found.group(1))


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pinned = PIN.match(line.strip())
        assert pinned, f"constraints.txt: {line!r} is not name==version"
        pins[_name(pinned.group(1))] = pinned.group(2)
    return pins


def test_every_direct_dependency_is_pinned() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in EXTRAS:
        wanted += project["optional-dependencies"][extra]
    missing = sorted({_requirement_name(r) for r in wanted} - set(_pins()))
    assert not missing, f"add to constraints.txt: {missing}"


def test_the_environment_the_tests_run_in_has_the_pinned_versions() -> None:
    """What `make install` installed is what constraints.txt says (a pin edited by hand without
    re-installing, or an environment set up some other way, shows here)."""
    differing = {}
    for name, version in _pins().items():
        try:
            installed = distribution(name).version
        except PackageNotFoundError:
            continue  # a pin for another platform's wheels, or a dependency since dropped
        if installed != version:
            differing[name] = (version, installed)
    assert not differing, f"pinned vs installed: {differing}"
