"""`imagestudio assets …`: the caller's library — list, search, show, download, label, delete."""

from __future__ import annotations

import typer

# Importing a command module registers its commands, in the order `--help` lists them.
# isort: off
from imagestudio.entrypoints.cli import asset_read_commands  # noqa: F401
from imagestudio.entrypoints.cli import asset_file_commands  # noqa: F401
from imagestudio.entrypoints.cli import asset_edit_commands  # noqa: F401

# isort: on
from imagestudio.entrypoints.cli.asset_group import assets_app


def register(app: typer.Typer) -> None:
    app.add_typer(assets_app, name="assets", no_args_is_help=True)
