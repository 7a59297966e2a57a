"""Every amount or limit an operator types is bounded where it comes in, by the same rules as the
admin API (entrypoints/cli/limits.py): one past what a 64-bit column holds, or written with an
exponent, exits 2 with one line and changes nothing. A budget of $10^14 once reached SQLite as
`OverflowError` (exit 1), and a spend cap of "1e400" was kept as a plan."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.money import MAX_MICROS
from imagestudio.entrypoints.cli import limits
from imagestudio.entrypoints.cli.audit_input import opening_balance

if TYPE_CHECKING:
    from conftest import Cli

PAST_A_COLUMN_IN_DOLLARS = "9223372036854.775808"  # MAX_MICROS + 1 micro-dollar
PAST_A_COLUMN = str(MAX_MICROS + 1)
PLAN = ("plans", "set", "p", "--spend-cap", "5", "--rate", "60", "--concurrency", "2")

# Each place an operator writes an amount or a limit, with what to put there.
WRITTEN: dict[str, Callable[[str], tuple[str, ...]]] = {
    "spend cap": lambda v: (
        "plans",
        "set",
        "p",
        "--spend-cap",
        v,
        "--rate",
        "1",
        "--concurrency",
        "1",
    ),
    "rate": lambda v: (*PLAN[:6], v, "--concurrency", "1"),
    "concurrency": lambda v: (*PLAN[:8], v),
    "limit": lambda v: (*PLAN, "--limit", f"image-generation={v}"),
    "storage": lambda v: (*PLAN, "--storage", v),
    "monthly budget": lambda v: ("budget", "set", "--provider", "offline", "--monthly", v),
    "adjustment": lambda v: ("ledger", "adjust", "--user", "local", "--amount", v, "--reason", "x"),
}
MONEY = {"spend cap", "monthly budget", "adjustment"}


def too_large(where: str) -> list[str]:
    if where in MONEY:
        return [PAST_A_COLUMN_IN_DOLLARS, "1e400", "99999999999999999999999999999"]
    return [PAST_A_COLUMN, "9" * 40, f"{MAX_MICROS // 1024 + 1}KB" if where == "storage" else "1e3"]


CASES = [(where, value) for where in WRITTEN for value in too_large(where)]


@pytest.mark.parametrize(("where", "value"), CASES)
def test_an_amount_past_what_is_stored_exits_2_and_changes_nothing(
    where: str, value: str, local_cli: Cli
) -> None:
    before = [local_cli.json("plans", "list"), local_cli.json("budget", "list")]

    refused = local_cli.invoke(*WRITTEN[where](value))

    assert refused.exit_code == 2, refused.output
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith("error: "), line
    assert [local_cli.json("plans", "list"), local_cli.json("budget", "list")] == before


def test_every_parser_of_a_limit_refuses_one_past_the_column() -> None:
    # Found by their signature, so a new kind of limit is held to the same bound.
    parsers = [
        function
        for name, function in inspect.getmembers(limits, inspect.isfunction)
        if function.__module__ == limits.__name__
        and not name.startswith("_")
        and list(inspect.signature(function).parameters) == ["field", "text"]
    ]
    assert {parser.__name__ for parser in parsers} >= {
        "count_limit",
        "money_limit",
        "rate_limit",
        "byte_limit",
        "dollars",
    }
    for parser in parsers:
        if parser is limits.retention_days or parser is limits.export_moment:
            continue  # days and times, not amounts
        past = (
            PAST_A_COLUMN_IN_DOLLARS
            if parser in (limits.money_limit, limits.dollars)
            else PAST_A_COLUMN
        )
        refused = parser("field", past)
        assert isinstance(refused, InvalidInput), (parser.__name__, refused)
        assert refused.field == "field"


def test_the_largest_amounts_that_fit_are_taken(local_cli: Cli) -> None:
    local_cli.ok("budget", "set", "--provider", "offline", "--monthly", "9223372036854.775807")
    local_cli.ok(*WRITTEN["concurrency"](str(MAX_MICROS)))

    (budget,) = local_cli.json("budget", "list")
    assert budget["monthly_micros"] == MAX_MICROS


@pytest.mark.parametrize("amount", [PAST_A_COLUMN_IN_DOLLARS, "1e400", "abc", "９", "1.٥"])
def test_an_audits_opening_balance_meets_the_same_rules(amount: str) -> None:
    refused = opening_balance(f"wavespeed={amount}")
    assert isinstance(refused, InvalidInput), refused
    assert opening_balance("wavespeed=12.50") == ("wavespeed", 12_500_000)


@pytest.mark.parametrize("written", ["９", "1.٥", "٣"])
def test_money_is_written_in_ascii_digits(written: str) -> None:
    assert isinstance(limits.dollars("amount", written), InvalidInput)
    assert isinstance(limits.money_limit("spend cap", written), InvalidInput)


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
def test_a_moment_past_the_calendar_in_utc_is_refused_where_it_is_typed(moment: str) -> None:
    refused = limits.export_moment("since", moment)
    assert isinstance(refused, InvalidInput)
    assert "outside the calendar" in refused.reason


@pytest.mark.parametrize("where", sorted(MONEY))
@pytest.mark.parametrize("finer", ["0.0000001", "$0.0000004", ".00000049", "1.0000001"])
def test_money_finer_than_a_micro_dollar_exits_2_and_changes_nothing(
    where: str, finer: str, local_cli: Cli
) -> None:
    """Rounded, `budget set --monthly 0.0000001` kept a budget of $0, which refuses every call
    at that provider (and a spend cap of $0, every paid call of the plan's users)."""
    before = [local_cli.json("plans", "list"), local_cli.json("budget", "list")]

    refused = local_cli.invoke(*WRITTEN[where](finer))

    assert refused.exit_code == 2, refused.output
    (line,) = refused.stderr.strip().splitlines()
    assert "is finer than a micro-dollar" in line, line
    assert [local_cli.json("plans", "list"), local_cli.json("budget", "list")] == before


def test_a_whole_micro_dollar_is_taken_trailing_zeros_and_all() -> None:
    assert limits.dollars("amount", "0.000001") == 1
    assert limits.dollars("amount", "1.0000010000") == 1_000_001
    assert isinstance(opening_balance("wavespeed=0.0000001"), InvalidInput)
