"""A refusal quotes the value it refused cut to `ECHO_CHARS`: no f-string of the domain and
application layers, where refusals are written, quotes a value whole with `!r` (a refusal added
later is covered without editing this file)."""

from __future__ import annotations

import ast
from pathlib import Path

from imagestudio import application, domain
from imagestudio.domain import errors
from imagestudio.domain.errors.echo import ECHO_CHARS, echoed

LONG = "x" * 100_000


def test_a_long_value_is_cut_with_an_ellipsis_and_a_short_one_kept_whole() -> None:
    assert echoed("a tag") == "'a tag'"
    assert echoed(LONG) == "'" + "x" * (ECHO_CHARS - 2) + "…"
    assert len(echoed(LONG)) == ECHO_CHARS


def test_a_refusal_naming_a_long_value_quotes_it_cut() -> None:
    assert errors.UnknownUser(LONG).message == f"unknown user {echoed(LONG)}"
    assert len(errors.AssetNotFound(LONG).message) < 2 * ECHO_CHARS


def test_refusals_quote_values_through_echoed() -> None:
    """`!r` in an f-string would quote a value whole: the domain and application layers write
    the refusals, so none of their f-strings uses it."""
    whole, read = [], 0
    for package in (domain, application):
        for path in Path(package.__path__[0]).rglob("*.py"):
            read += 1
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.FormattedValue) and node.conversion == ord("r"):
                    whole.append(f"{path.name}:{node.lineno}")
    assert read > 100 and whole == []
