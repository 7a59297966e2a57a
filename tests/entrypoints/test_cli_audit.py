"""`imagestudio audit provider` on the sandbox profile (each command a fresh process): the
report, its JSON, its exit code when the provider's book disagrees, and its refusals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from imagestudio.adapters.sandbox.billing import BilledTask
from imagestudio.adapters.sandbox.config import SandboxConfig
from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.entrypoints.cli.audit_commands import EXIT_DIFFERENCES

if TYPE_CHECKING:
    from conftest import Cli

SINCE = (datetime.now(UTC) - timedelta(hours=1)).isoformat()


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with RunningSandbox(SandboxConfig(latency_seconds=0.05)) as running:
        yield running


@pytest.fixture
def sandbox_cli(
    local_cli: Cli, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Cli:
    monkeypatch.setenv("IMAGESTUDIO_PROFILE", "sandbox")
    monkeypatch.setenv("IMAGESTUDIO_SANDBOX_URL", sandbox.base_url)
    monkeypatch.setenv("IMAGESTUDIO_DATA_DIR", str(tmp_path / "sandbox-data"))
    local_cli.ok("generate", "a red kite", "--model", "wavespeed/flux-dev", "--size", "512x512")
    local_cli.ok("generate", "a lighthouse", "--model", "stability/generate-core")
    return local_cli


def test_books_that_agree_say_so_per_provider_and_exit_0(sandbox_cli: Cli) -> None:
    text = sandbox_cli.ok("audit", "provider", "--since", SINCE)
    report = sandbox_cli.json("audit", "provider", "--since", SINCE)

    assert "no differences" in text
    assert "wavespeed [tasks]" in text and "stability [tasks]" in text
    assert report["differences"] == 0
    by_name = {p["provider"]: p for p in report["providers"]}
    assert (by_name["wavespeed"]["matched_by_id"], by_name["stability"]["matched_by_window"]) == (
        1,
        1,
    )


def test_a_task_billed_behind_our_back_is_named_and_exits_8(
    sandbox_cli: Cli, sandbox: RunningSandbox
) -> None:
    sandbox.state.book.charge(
        BilledTask("stability", "d" * 64, "stable-image/generate/core", Decimal(3))
    )

    result = sandbox_cli.invoke("audit", "provider", "--since", SINCE, "--provider", "stability")

    assert result.exit_code == EXIT_DIFFERENCES == 8, result.output
    assert "billed_not_recorded" in result.stdout and "d" * 64 in result.stdout
    assert "what to do:" in result.stdout
    assert "wavespeed" not in result.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--since", "last week"], "since"),
        (["--since", "2026-03-02", "--until", "2026-03-01"], "not after since"),
        (["--since", "2026-03-01", "--provider", "offline"], "no book to audit"),
        (["--since", "2026-03-01", "--opening-balance", "wavespeed:12"], "provider=dollars"),
        (
            [
                "--since",
                "2026-03-01",
                "--opening-balance",
                "wavespeed=12",
                "--opening-balance",
                "wavespeed=20",
            ],
            "wavespeed is given twice",
        ),
    ],
)
def test_a_bad_request_exits_2_saying_why(sandbox_cli: Cli, args: list[str], said: str) -> None:
    result = sandbox_cli.invoke("audit", "provider", *args)

    assert result.exit_code == 2, result.output
    assert said in result.stderr


def test_a_profile_without_a_real_provider_has_nothing_to_audit(local_cli: Cli) -> None:
    out = local_cli.ok("audit", "provider", "--since", "2026-03-01")

    assert "no provider with a book to audit" in out
