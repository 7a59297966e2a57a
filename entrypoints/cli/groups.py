"""How every command group of `imagestudio` is made.

Help is click's plain text, not rich's boxes: drawing the boxes imports rich, which alone would
cost `--help` more than its whole budget (bench/cli_startup.py)."""

from __future__ import annotations

from typing import Any

import typer


def command_group(help: str, **options: Any) -> typer.Typer:
    return typer.Typer(help=help, rich_markup_mode=None, **options)
