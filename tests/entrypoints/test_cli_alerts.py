"""`imagestudio usage` shows the alerts of the period, kept in the database."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Cli


@pytest.fixture
def near_the_limit(local_cli: Cli) -> Cli:
    """Alice, on five generations a month, has used four."""
    local_cli.ok(
        "plans", "set", "tight", "--limit", "image-generation=5", "--spend-cap", "unlimited",
        "--rate", "unlimited", "--concurrency", "unlimited",
    )  # fmt: skip
    local_cli.ok("users", "add", "alice", "--plan", "tight")
    local_cli.ok("generate", "a kite", "-n", "4", "--user", "alice")
    return local_cli


def test_usage_lists_the_threshold_reached(near_the_limit: Cli) -> None:
    (alert,) = near_the_limit.json("usage", "--user", "alice")["alerts"]

    assert (alert["dimension"], alert["threshold_percent"]) == ("calls:image-generation", 80)
    assert (alert["used"], alert["limit"]) == (4, 5)


def test_usage_says_it_in_words(near_the_limit: Cli) -> None:
    out = near_the_limit.ok("usage", "--user", "alice")

    assert "alice reached 80% of their calls:image-generation limit" in out


def test_the_last_call_adds_the_100_percent_alert(near_the_limit: Cli) -> None:
    near_the_limit.ok("generate", "a fox", "--user", "alice")

    alerts = near_the_limit.json("usage", "--user", "alice")["alerts"]
    assert [alert["threshold_percent"] for alert in alerts] == [80, 100]
