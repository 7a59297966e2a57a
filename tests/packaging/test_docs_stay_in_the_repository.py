"""The README and architecture.md name nothing outside the repository: no path of the machine
they were written on, no sibling folder, and every file they name exists in the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ("README.md", "architecture.md")

# A path of some machine: a home, a work or temp folder, a drive letter, a step out of the tree.
MACHINE_PATH = re.compile(
    r"(?<![\w.:/-])(?:/(?:work|home|Users|root|tmp|opt|srv|mnt|var|usr|etc|private)/"
    r"|~/|[A-Za-z]:\\|\.\./)"
)
# A file by its path (`adapters/sql/ledger.py`) or by its name alone (`settle.py`).
NAMED_FILE = re.compile(r"(?<![\w./:-])((?:[\w.-]+/)*[\w.-]+\.(?:md|py|toml|mako|cfg|ini|yaml))\b")


def in_repository(name: str) -> bool:
    """A path must exist from the root; a bare name somewhere in the repository's own files."""
    if "/" in name:
        return (ROOT / name).exists()
    return any(
        not {".venv", "build", ".git"} & set(found.relative_to(ROOT).parts)
        for found in ROOT.rglob(name)
    )


@pytest.mark.parametrize("doc", DOCS)
def test_the_doc_names_no_path_outside_the_repository(doc: str) -> None:
    text = (ROOT / doc).read_text()
    found = [
        f"line {text.count(chr(10), 0, hit.start()) + 1}: {text[hit.start() : hit.start() + 40]!r}"
        for hit in MACHINE_PATH.finditer(text)
    ]
    assert not found, f"{doc} names paths outside the repository: {found}"


@pytest.mark.parametrize("doc", DOCS)
def test_every_file_the_doc_names_is_in_the_repository(doc: str) -> None:
    text = (ROOT / doc).read_text()
    named = {hit.group(1) for hit in NAMED_FILE.finditer(text)}
    assert named, f"{doc} names no file at all: the pattern no longer matches"
    missing = sorted(name for name in named if not in_repository(name))
    assert not missing, f"{doc} names files the repository does not have: {missing}"


def test_the_pattern_catches_what_it_is_for() -> None:
    for leak in (
        "see /work/shared/provider_contracts.md",
        "`../shared/provider_contracts.md` §1.6",
        "in /home/dev/notes.txt",
        "C:\\Users\\dev\\notes.md",
    ):
        assert MACHINE_PATH.search(leak), leak
    for fine in ("GET /v1/assets", "`/problems/quota-exceeded`", "sqlite:///path/file.db"):
        assert not MACHINE_PATH.search(fine), fine
