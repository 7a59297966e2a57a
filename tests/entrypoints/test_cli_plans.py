"""`imagestudio plans set`: a plan as an operator writes it, kept in the database."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Cli

FULL = [
    "--limit",
    "image-generation=100",
    "--limit",
    "upscale=unlimited",
    "--spend-cap",
    "25.00",
    "--rate",
    "60/min",
    "--concurrency",
    "4",
    "--anchor-day",
    "15",
]


def test_plans_set_stores_every_limit_as_written(local_cli: Cli) -> None:
    local_cli.ok("plans", "set", "team", *FULL)

    plans = {plan["name"]: plan for plan in local_cli.json("plans", "list")}
    team = plans["team"]
    assert team["calls"]["image-generation"] == 100
    assert team["calls"]["upscale"] is None
    assert team["calls"]["video"] is None  # a category left out is unlimited
    assert team["spend_cap_micros"] == 25_000_000
    assert (team["requests_per_minute"], team["concurrent_operations"]) == (60, 4)
    assert team["anchor_day"] == 15


def test_plans_set_replaces_an_existing_plan(local_cli: Cli) -> None:
    local_cli.ok("plans", "set", "team", *FULL)
    local_cli.ok(
        "plans", "set", "team", "--spend-cap", "unlimited", "--rate", "unlimited",
        "--concurrency", "unlimited",
    )  # fmt: skip

    team = next(plan for plan in local_cli.json("plans", "list") if plan["name"] == "team")
    assert team["calls"]["image-generation"] is None
    assert team["spend_cap_micros"] is None


def test_a_user_on_a_replaced_plan_gets_its_new_limits_at_once(local_cli: Cli) -> None:
    local_cli.ok("plans", "set", "local", "--limit", "image-generation=3", *FULL[4:10])

    rows = {row["name"]: row for row in local_cli.json("usage")["rows"]}
    assert rows["image-generation"]["limit"] == 3


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--limit", "painting=3", "the category is one of"),
        ("--limit", "image-generation", "image-generation=<calls>"),
        ("--limit", "image-generation=-1", "whole number"),
        ("--spend-cap", "lots", "dollars"),
        ("--spend-cap", "-5", "negative"),
        ("--rate", "60/hour", "60/min"),
        ("--concurrency", "two", "whole number"),
        ("--anchor-day", "32", "1 to 31"),
    ],
)
def test_a_limit_written_wrongly_is_one_clear_error_and_exit_2(
    cli: Cli, option: str, value: str, says: str
) -> None:
    args = {"--spend-cap": "1", "--rate": "1/min", "--concurrency": "1", option: value}
    result = cli.invoke("plans", "set", "team", *(item for pair in args.items() for item in pair))

    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "team" not in {plan["name"] for plan in cli.json("plans", "list")}


def test_a_plan_name_that_cannot_be_a_key_is_refused(cli: Cli) -> None:
    result = cli.invoke(
        "plans", "set", "../x", "--spend-cap", "1", "--rate", "1", "--concurrency", "1"
    )

    assert result.exit_code == 2
    assert "plan name" in result.stderr


def test_a_count_in_non_ascii_digits_is_refused_not_crashed() -> None:
    from imagestudio.domain.errors import InvalidInput
    from imagestudio.entrypoints.cli.limits import count_limit

    assert isinstance(count_limit("calls", "²"), InvalidInput)


ANCHOR_PLAN = ["--spend-cap", "1.00", "--rate", "unlimited", "--concurrency", "unlimited",
               "--limit", "image-generation=3"]  # fmt: skip


def used_by(local_cli: Cli, user: str) -> dict[str, int]:
    usage = local_cli.json("usage", "--user", user)
    return {row["name"]: row["used"] for row in usage["rows"] if row["name"] != "storage"}


@pytest.mark.parametrize("how", ["users set-plan", "plans set --anchor-day"])
def test_a_new_billing_anchor_keeps_what_was_used_this_period(local_cli: Cli, how: str) -> None:
    local_cli.ok("plans", "set", "a1", *ANCHOR_PLAN)
    local_cli.ok("plans", "set", "a5", *ANCHOR_PLAN, "--anchor-day", "5")
    local_cli.ok("users", "add", "ann", "--plan", "a1")
    for _ in range(2):
        local_cli.ok("generate", "a fox", "--user", "ann")
    before = used_by(local_cli, "ann")
    assert before["image-generation"] == 2

    if how == "users set-plan":
        local_cli.ok("users", "set-plan", "ann", "a5")
    else:
        local_cli.ok("plans", "set", "a1", *ANCHOR_PLAN, "--anchor-day", "5")

    assert used_by(local_cli, "ann") == before
    local_cli.ok("generate", "a fox", "--user", "ann")  # the third of three
    refused = local_cli.invoke("generate", "a fox", "--user", "ann")
    assert refused.exit_code != 0 and "image-generation" in refused.stderr


def test_a_category_given_twice_is_refused_not_the_last_one_kept(cli: Cli) -> None:
    result = cli.invoke(
        "plans", "set", "team", "--limit", "image-generation=100", "--limit",
        "image-generation=5", "--spend-cap", "1", "--rate", "1", "--concurrency", "1",
    )  # fmt: skip

    assert result.exit_code == 2
    assert result.stderr == "error: invalid limit: image-generation is given twice: give it once\n"
    assert "team" not in {plan["name"] for plan in cli.json("plans", "list")}
