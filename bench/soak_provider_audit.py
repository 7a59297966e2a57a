"""HOOK for the audit against the provider's books (`imagestudio audit provider`).

The soak compares the sandbox's book with our ledger itself (`soak_provider_book.py`). Once the
audit command exists, the soak also runs it here, over the soak's span, and prints what it says
next to its own comparison; until then this says the command is not there yet. When the audit
lands, make its differences a check: count them in `AuditHook.differences` (read from its
`--json` output) and add that figure to the report's "differences with the provider's book".
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import click
import typer
from soak_cluster import CLI

from imagestudio.entrypoints.cli.main import app

SINCE = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class AuditHook:
    available: bool
    exit_code: int | None = None
    output: str = ""
    differences: int | None = None
    """Not read yet: the audit's JSON shape is the audit's to define."""


def run_provider_audit(environment: dict[str, str]) -> AuditHook:
    """`imagestudio audit provider --since <yesterday> --json` against the soak's database and
    sandbox, if this version has the command."""
    commands = typer.main.get_command(app)
    if not isinstance(commands, click.Group) or "audit" not in commands.commands:
        return AuditHook(available=False)
    since = (datetime.now(UTC) - SINCE).date().isoformat()
    done = subprocess.run(
        [*CLI, "audit", "provider", "--since", since, "--json"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return AuditHook(available=True, exit_code=done.returncode, output=done.stdout + done.stderr)
