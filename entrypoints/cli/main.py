"""The `imagestudio` command.

`--help` must answer at once: the command modules import only typer and the domain at their
top, and the use cases, the container and the database come in when a command runs
(tests/entrypoints/test_cli_startup.py holds that to account)."""

from __future__ import annotations

import gc
import logging
import sys
import traceback
from typing import Annotated

import typer

from imagestudio.entrypoints.cli import (
    asset_commands,
    audit_commands,
    budget_commands,
    db_commands,
    info_commands,
    ledger_commands,
    local_commands,
    mcp_command,
    operation_commands,
    operations_commands,
    plans_commands,
    provider_commands,
    sandbox_command,
    storage_commands,
    usage_commands,
    users_commands,
    webhook_commands,
)
from imagestudio.entrypoints.cli.errors import EXIT_INPUT, EXIT_UNEXPECTED
from imagestudio.entrypoints.cli.groups import RootGroup, command_group
from imagestudio.entrypoints.cli.output import asked_for_json, line, print_json_error

app = command_group(
    "AI image operations with quotas checked before money is spent.",
    name="imagestudio",
    cls=RootGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        line(f"imagestudio {version('imagestudio')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """AI image operations with quotas checked before money is spent."""


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
audit_commands.register(app)
mcp_command.register(app)
webhook_commands.register(app)


def run() -> None:
    """Console entry point: expected failures exit with their own code, never a traceback."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app(prog_name="imagestudio")  # also under `python -m`
    except Exception as error:
        _release_frames(error)
        kind, said, code = _failure(error)
        if asked_for_json():
            print_json_error(kind, said)
        sys.stderr.write(f"error: {said}\n")
        sys.exit(code)


def _failure(error: Exception) -> tuple[str, str, int]:
    """What ended the command outside its own output: its kind (the `type` of `--json`), its
    one line, and the exit code."""
    if _is_bad_setting(error):
        return "BadSetting", _first_line(error), EXIT_INPUT
    database = _database_trouble(error)
    if database is not None:
        return "DatabaseUnavailable", f"the database cannot be used: {database}", EXIT_UNEXPECTED
    storage = _storage_trouble(error)
    if storage is not None:
        return "StorageUnavailable", f"the asset storage cannot be used: {storage}", EXIT_UNEXPECTED
    # A bug or a broken environment: one line, not a traceback.
    return "Unexpected", f"unexpected {type(error).__name__}: {_first_line(error)}", EXIT_UNEXPECTED


# Looked up among the modules already loaded: an error of a module that was never imported
# cannot have been raised, and importing it here would cost what startup saved.
_BAD_SETTINGS = (
    ("pydantic", "ValidationError"),
    ("imagestudio.entrypoints.settings", "SettingsError"),
    ("imagestudio.adapters.sql.schema", "SchemaOutOfDate"),
)


def _release_frames(error: BaseException) -> None:
    """Let go of what the failed command's frames hold. Kept by the traceback until the
    interpreter exits, a native client (the S3 store's) was dropped after its runtime had
    stopped, and the process aborted (exit 134) after printing its error."""
    seen: set[int] = set()
    chained: BaseException | None = error
    while chained is not None and id(chained) not in seen:
        seen.add(id(chained))
        traceback.clear_frames(chained.__traceback__)
        chained = chained.__cause__ or chained.__context__
    gc.collect()  # the cycles the frames were in go now, not while the interpreter exits


def _storage_trouble(error: Exception) -> str | None:
    """What the asset store said when it could not be reached or refused a request (its own
    error, already one line naming the object); None for anything else."""
    kind = getattr(
        sys.modules.get("imagestudio.adapters.s3.asset_bytes"), "S3AssetStoreError", None
    )
    if isinstance(kind, type) and isinstance(error, kind):
        return _first_line(error)
    return None


def _is_bad_setting(error: Exception) -> bool:
    for module, name in _BAD_SETTINGS:
        kind = getattr(sys.modules.get(module), name, None)
        if isinstance(kind, type) and isinstance(error, kind):
            return True
    return False


def _database_trouble(error: Exception) -> str | None:
    """What the driver said, when the database refused the connection or went away (SQLAlchemy's
    OperationalError: unreachable, refused, a file it cannot open) or is no database at all (a
    plain DatabaseError: a SQLite file that is corrupt or something else); None for anything
    else (an IntegrityError or ProgrammingError is our own bug)."""
    errors = sys.modules.get("sqlalchemy.exc")
    operational = getattr(errors, "OperationalError", None)
    plain = getattr(errors, "DatabaseError", None)
    if not (
        (isinstance(operational, type) and isinstance(error, operational))
        or (isinstance(plain, type) and type(error) is plain)
    ):
        return None
    driver = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(driver).splitlines() if line.strip()]
    return "; ".join(lines[:2]) if lines else type(driver).__name__


def _first_line(error: Exception) -> str:
    from pydantic import ValidationError  # loaded already: the settings were read

    if isinstance(error, ValidationError):
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        said = problem["msg"].removeprefix("Value error, ")  # pydantic's wrapping of our own
        return f"settings: IMAGESTUDIO_{where.upper()}: {said}"
    lines = str(error).splitlines()
    return lines[0] if lines else ""


if __name__ == "__main__":
    run()
