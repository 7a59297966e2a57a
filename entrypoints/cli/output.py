"""Rendering results for people (rich tables) and for programs (--json).

rich is imported when something is drawn, not when the command starts: `--help` never draws."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import typer

from imagestudio.domain.money import format_usd

if TYPE_CHECKING:
    from returns.result import Result
    from rich.console import Console

    from imagestudio.entrypoints.cli.errors import Problem

T = TypeVar("T")


@cache
def console() -> Console:
    """The one console of this process; it reads the terminal's width when first used."""
    from rich.console import Console

    return Console()


def print_json(payload: Mapping[str, Any] | Sequence[Any]) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


def fail(error: Problem, as_json: bool) -> NoReturn:
    from imagestudio.entrypoints.cli.errors import error_name, exit_code

    if as_json:
        print_json({"error": {"type": error_name(error), "message": error.message}})
    sys.stderr.write(f"error: {error.message}\n")
    raise typer.Exit(exit_code(error))


def unwrap_or_fail(result: Result[T, Problem], as_json: bool) -> T:
    """The value of a use case's success; its failure ends the command."""
    from returns.result import Failure

    if isinstance(result, Failure):
        fail(result.failure(), as_json)
    return result.unwrap()


def money(micros: int) -> str:
    return format_usd(micros)


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A table on a terminal; tab-separated lines with a header when piped, so nothing is cut."""
    if not console().is_terminal:
        for line in (columns, *rows):
            sys.stdout.write("\t".join(str(cell) for cell in line) + "\n")
        return
    from rich.table import Table

    grid = Table(title=title, title_justify="left")
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*(str(cell) for cell in row))
    console().print(grid)
