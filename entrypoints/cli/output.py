"""Rendering results for people (rich tables) and for programs (--json)."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from imagestudio.domain.money import format_usd
from imagestudio.entrypoints.cli.errors import Problem, error_name, exit_code

console = Console()
errors = Console(stderr=True)


def print_json(payload: Mapping[str, Any] | Sequence[Any]) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


def fail(error: Problem, as_json: bool) -> NoReturn:
    if as_json:
        print_json({"error": {"type": error_name(error), "message": error.message}})
    errors.print(f"error: {error.message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(exit_code(error))


def money(micros: int) -> str:
    return format_usd(micros)


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A table on a terminal; tab-separated lines with a header when piped, so nothing is cut."""
    if not console.is_terminal:
        for line in (columns, *rows):
            sys.stdout.write("\t".join(str(cell) for cell in line) + "\n")
        return
    grid = Table(title=title, title_justify="left")
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*(str(cell) for cell in row))
    console.print(grid)
