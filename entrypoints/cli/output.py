"""Rendering results for people (rich tables) and for programs (--json).

rich is imported when something is drawn, not when the command starts: `--help` never draws."""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Collection, Mapping, Sequence
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

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # rich's own exits 1, as if something had gone wrong: the CLI says it (groups.py).
            self.quiet = True
            raise BrokenPipeError(errno.EPIPE, "the reader of standard output went away")

    return _Console()


def flushed() -> bool:
    """Whether what was printed reached stdout; if its reader went away, stdout now points at
    nothing, so no later write, nor the interpreter's own flush at exit, fails again."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
        return False
    return True


def print_json(payload: Mapping[str, Any] | Sequence[Any]) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


def fail(error: Problem, as_json: bool) -> NoReturn:
    from imagestudio.entrypoints.cli.errors import error_name, exit_code

    if as_json:
        print_json_error(error_name(error), error.message)
    sys.stderr.write(f"error: {error.message}\n")
    raise typer.Exit(exit_code(error))


def print_json_error(kind: str, message: str) -> None:
    """A failure as `--json` prints it: `{"error": {"type", "message"}}` on stdout (its
    `error:` line goes to stderr as always)."""
    try:
        print_json({"error": {"type": kind, "message": message}})
    except BrokenPipeError:
        flushed()  # the reader went away: the error line and the exit code still tell


def asked_for_json(argv: Sequence[str] | None = None) -> bool:
    """Whether the command line asks for `--json`: a failure that ends the command before (or
    outside) its own output, a bad setting or a mistyped option, is JSON too."""
    words = list(sys.argv[1:] if argv is None else argv)
    return "--json" in (words[: words.index("--")] if "--" in words else words)


def unwrap_or_fail(result: Result[T, Problem], as_json: bool) -> T:
    """The value of a use case's success; its failure ends the command."""
    from returns.result import Failure

    if isinstance(result, Failure):
        fail(result.failure(), as_json)
    return result.unwrap()


def money(micros: int) -> str:
    return format_usd(micros)


def line(text: str) -> None:
    """A plain line: never broken where the terminal (or 80 columns, when piped) ends, so an id,
    a path or a cursor in it can be copied whole."""
    sys.stdout.write(text + "\n")


def table(
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    prose: Collection[str] = (),
) -> None:
    """Rows for people and for programs. Piped: tab-separated lines with a header. On a
    terminal: a table whose cells are never broken — ids, paths, names, numbers — except in the
    `prose` columns, which wrap between words; a table that cannot fit that way becomes one
    block of `column value` lines per row."""
    cells = [[str(cell) for cell in row] for row in rows]
    if not console().is_terminal:
        for values in (columns, *cells):
            line("\t".join(values))
        return
    from rich.cells import cell_len
    from rich.table import Table

    whole = [column not in prose for column in columns]
    needed = [
        max(
            (cell_len(row[index]) if whole[index] else _longest_word(row[index]) for row in cells),
            default=1,
        )
        for index in range(len(columns))
    ]
    # Headers as written if that fits; else broken at their spaces and hyphens where wider
    # than their column; else no table at all.
    for headers in (list(columns), [_broken(c, n) for c, n in zip(columns, needed, strict=True)]):
        widths = [
            max(need, *(cell_len(piece) for piece in header.splitlines()))
            for need, header in zip(needed, headers, strict=True)
        ]
        if sum(widths) + _BORDERS_PER_COLUMN * len(columns) + 1 <= console().width:
            break
    else:
        _records(title, columns, cells)
        return
    grid = Table(title=title, title_justify="left")
    for index, header in enumerate(headers):
        if whole[index]:
            grid.add_column(header, no_wrap=True, min_width=widths[index])
        else:
            grid.add_column(header, min_width=widths[index], overflow="fold")
    for row in cells:
        grid.add_row(*row)
    console().print(grid)


_LONGEST_WHOLE_WORD = 32
"""A prose column is never narrower than its longest word up to this (a setting's name, a
model id in a sentence); a longer word may be folded."""
_BORDERS_PER_COLUMN = 3
"""A space either side of a cell and the rule after it (and one more at the table's left)."""


def _longest_word(text: str) -> int:
    return min(max((len(word) for word in text.split()), default=1), _LONGEST_WHOLE_WORD)


def _broken(column: str, width: int) -> str:
    """A header wider than its column's cells, broken at its spaces and hyphens instead."""
    if len(column) <= width:
        return column
    return column.replace(" ", "\n").replace("-", "-\n")


def _records(title: str, columns: Sequence[str], cells: Sequence[Sequence[str]]) -> None:
    line(title)
    width = max(len(column) for column in columns)
    for row in cells:
        line("")
        for column, value in zip(columns, row, strict=True):
            line(f"  {column:<{width}}  {value}".rstrip())
