"""The `imagestudio` command."""

from __future__ import annotations

import logging
import sys

import typer
from pydantic import ValidationError

from imagestudio.adapters.sql.schema import SchemaOutOfDate
from imagestudio.entrypoints.cli import (
    asset_commands,
    budget_commands,
    db_commands,
    info_commands,
    ledger_commands,
    local_commands,
    operation_commands,
    operations_commands,
    plans_commands,
    provider_commands,
    sandbox_command,
    storage_commands,
    usage_commands,
    users_commands,
)
from imagestudio.entrypoints.cli.errors import EXIT_INPUT, EXIT_UNEXPECTED
from imagestudio.entrypoints.settings import SettingsError

app = typer.Typer(
    name="imagestudio",
    help="AI image operations with quotas checked before money is spent.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
operation_commands.register(app)
info_commands.register(app)
usage_commands.register(app)
plans_commands.register(app)
users_commands.register(app)
budget_commands.register(app)
ledger_commands.register(app)
db_commands.register(app)
provider_commands.register(app)
sandbox_command.register(app)
asset_commands.register(app)
storage_commands.register(app)
local_commands.register(app)
operations_commands.register(app)


def run() -> None:
    """Console entry point: expected failures exit with their own code, never a traceback."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except (SettingsError, ValidationError, SchemaOutOfDate) as error:
        sys.stderr.write(f"error: {_first_line(error)}\n")
        sys.exit(EXIT_INPUT)
    except Exception as error:  # a bug or a broken environment: one line, not a traceback
        sys.stderr.write(f"error: unexpected {type(error).__name__}: {error}\n")
        sys.exit(EXIT_UNEXPECTED)


def _first_line(error: Exception) -> str:
    if isinstance(error, ValidationError):
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        return f"settings: IMAGESTUDIO_{where.upper()}: {problem['msg']}"
    return str(error).splitlines()[0]


if __name__ == "__main__":
    run()
