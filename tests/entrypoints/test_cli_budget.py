"""`imagestudio budget …`: the operator's monthly budget at a provider, kept and shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Cli


def test_budget_set_is_kept_and_listed(local_cli: Cli) -> None:
    local_cli.ok("budget", "set", "--provider", "wavespeed", "--monthly", "500.00")

    (listed,) = local_cli.json("budget", "list")

    assert listed["provider"] == "wavespeed"
    assert listed["monthly_micros"] == 500_000_000
    assert (listed["used_micros"], listed["remaining_micros"]) == (0, 500_000_000)


def test_an_unlimited_budget_is_said_so(local_cli: Cli) -> None:
    local_cli.ok("budget", "set", "--provider", "stability", "--monthly", "unlimited")

    assert "unlimited" in local_cli.ok("budget", "list")


def test_a_budget_binds_operations_at_once(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGESTUDIO_OFFLINE_PRICE_USD", "0.50")
    cli.ok("budget", "set", "--provider", "offline", "--monthly", "0.40")

    refused = cli.invoke("generate", "a kite")

    assert refused.exit_code == 4
    assert "not your quota" in refused.stderr


def test_a_budget_at_an_unknown_provider_exits_2(cli: Cli) -> None:
    result = cli.invoke("budget", "set", "--provider", "wavespeeed", "--monthly", "5")

    assert result.exit_code == 2
    assert "wavespeed" in result.stderr


def test_a_budget_written_wrongly_exits_2(cli: Cli) -> None:
    result = cli.invoke("budget", "set", "--provider", "wavespeed", "--monthly", "plenty")

    assert result.exit_code == 2
    assert "dollars" in result.stderr
