"""`imagestudio ledger adjust`: a refund is a line of its own, and spend follows it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Cli


@pytest.fixture
def charged(local_cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The default user has been charged $2.00 for two images."""
    monkeypatch.setenv("IMAGESTUDIO_OFFLINE_PRICE_USD", "1.00")
    local_cli.ok("generate", "a kite", "-n", "2")
    return local_cli


def spend(cli: Cli) -> int:
    rows = {row["name"]: row for row in cli.json("usage")["rows"]}
    used: int = rows["spend"]["used"]
    return used


def test_a_refund_lowers_spend_by_its_amount(charged: Cli) -> None:
    done = charged.json("ledger", "adjust", "--user", "local", "--amount", "-1.50", "--reason", "x")

    assert done["amount_micros"] == -1_500_000
    assert done["line"].startswith("adj_")
    assert done["spend_used_micros"] == spend(charged) == 500_000


def test_a_refund_says_what_it_did(charged: Cli) -> None:
    out = charged.ok("ledger", "adjust", "--user", "local", "--amount", "-0.50", "--reason", "x")

    assert "refunded $0.50 to local" in out and "now $1.50" in out


def test_a_refund_beyond_the_charge_exits_2_and_changes_nothing(charged: Cli) -> None:
    result = charged.invoke(
        "ledger", "adjust", "--user", "local", "--amount", "-2.01", "--reason", "too much"
    )

    assert result.exit_code == 2
    assert "below zero" in result.stderr
    assert spend(charged) == 2_000_000


def test_an_amount_that_is_not_dollars_exits_2(local_cli: Cli) -> None:
    result = local_cli.invoke(
        "ledger", "adjust", "--user", "local", "--amount", "x", "--reason", "y"
    )

    assert result.exit_code == 2
    assert "dollars" in result.stderr


def test_adjusting_an_unknown_users_charge_exits_7(local_cli: Cli) -> None:
    result = local_cli.invoke(
        "ledger", "adjust", "--user", "nobody", "--amount", "1", "--reason", "y"
    )

    assert result.exit_code == 7
