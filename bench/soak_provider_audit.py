"""The audit against the provider's books (`imagestudio audit provider`), run over the soak.

The soak compares the sandbox's book with our ledger itself (`soak_provider_book.py`); the audit
is the operator's own tool for the same question, so the soak runs it too, over the soak's span,
and counts each difference it reports as a broken promise of the books.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from soak_books import Check
from soak_cluster import CLI

SINCE = timedelta(days=1)
NAME = "`imagestudio audit provider` finds no difference with the provider's book"


@dataclass(frozen=True, slots=True)
class AuditRun:
    exit_code: int
    output: str
    check: Check

    @property
    def differences(self) -> int:
        return self.check.broken


def run_provider_audit(environment: dict[str, str]) -> AuditRun:
    """`imagestudio audit provider --since <yesterday> --json` against the soak's database and
    sandbox; an answer that is not the audit's JSON report is itself a broken check."""
    since = (datetime.now(UTC) - SINCE).date().isoformat()
    done = subprocess.run(
        [*CLI, "audit", "provider", "--since", since, "--json"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return AuditRun(done.returncode, done.stdout + done.stderr, audit_check(done.stdout))


def audit_check(answer: str) -> Check:
    """One broken entry per difference the report lists, with what it says to do."""
    check = Check(NAME)
    try:
        report = json.loads(answer)
        providers = report["providers"]
        count = int(report["differences"])
    except (ValueError, KeyError, TypeError):
        check.add(f"the audit did not answer its JSON report: {answer[-300:]!r}")
        return check
    listed = 0
    for provider in providers:
        for difference in provider.get("differences", []):
            listed += 1
            check.add(f"{provider.get('provider')}: {json.dumps(difference, sort_keys=True)}")
    for _ in range(count - listed):
        check.add("a difference the report counts without listing it")
    return check
