"""`imagestudio usage export`: the ledger as CSV or JSON, by day or time, for one user or all."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Cli

TODAY = datetime.now(UTC).date()
TOMORROW = TODAY + timedelta(days=1)


@pytest.fixture
def busy(local_cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Two users charged today, and one refund."""
    monkeypatch.setenv("IMAGESTUDIO_OFFLINE_PRICE_USD", "1.00")
    local_cli.ok("users", "add", "alice", "--plan", "pro")
    local_cli.ok("generate", "a kite")
    local_cli.ok("generate", "a fox", "--user", "alice")
    local_cli.ok("ledger", "adjust", "--user", "alice", "--amount", "-0.25", "--reason", "late")
    return local_cli


def test_csv_has_a_header_and_one_row_per_line(busy: Cli) -> None:
    out = busy.ok("usage", "export", "--since", TODAY.isoformat(), "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(row["user_id"], row["outcome"]) for row in rows] == [
        ("local", "succeeded"),
        ("alice", "succeeded"),
        ("alice", "adjustment"),
    ]
    assert rows[2]["user_charge_usd"] == "-$0.25" and rows[2]["reason"] == "late"


def test_json_export_of_one_user(busy: Cli) -> None:
    out = busy.ok(
        "usage", "export", "--since", TODAY.isoformat(), "--format", "json", "--user", "local"
    )

    (line,) = json.loads(out)
    assert (line["user_id"], line["user_charge_micros"], line["kind"]) == (
        "local",
        1_000_000,
        "text-to-image",
    )


def test_until_a_day_includes_that_day(busy: Cli) -> None:
    out = busy.ok("usage", "export", "--since", TODAY.isoformat(), "--until", TODAY.isoformat())

    assert len(list(csv.DictReader(io.StringIO(out)))) == 3


def test_a_span_after_the_lines_is_empty(busy: Cli) -> None:
    later = TOMORROW.isoformat()
    out = busy.ok("usage", "export", "--since", later, "--until", later)

    assert list(csv.DictReader(io.StringIO(out))) == []


def test_a_span_open_to_now_that_starts_after_now_exits_2(busy: Cli) -> None:
    result = busy.invoke("usage", "export", "--since", TOMORROW.isoformat())

    assert result.exit_code == 2
    assert "since" in result.stderr and "is after now" in result.stderr


def test_a_date_written_wrongly_exits_2(cli: Cli) -> None:
    result = cli.invoke("usage", "export", "--since", "last tuesday")

    assert result.exit_code == 2
    assert "since" in result.stderr


def test_an_unknown_format_exits_2(cli: Cli) -> None:
    assert cli.invoke("usage", "export", "--since", "2026-01-01", "--format", "xml").exit_code == 2


def test_usage_still_shows_the_current_period(cli: Cli) -> None:
    assert cli.json("usage")["user"] == "local"


def test_usage_daily_sums_a_users_charge_per_day_and_refuses_a_period_that_is_no_day(
    busy: Cli,
) -> None:
    daily = busy.json("usage", "daily", "--user", "alice")

    (today,) = [day for day in daily["days"] if day["day"] == TODAY.isoformat()]
    assert (today["charge_micros"], today["lines"]) == (750_000, 2)
    assert daily["total_micros"] == 750_000 and daily["user"] == "alice"
    assert daily["days"][0]["day"] == daily["period"]["start"][:10]
    assert f"{TODAY.isoformat()}\t$0.75\t2" in busy.ok("usage", "daily", "--user", "alice")
    refused = busy.invoke("usage", "daily", "--period", "March", "--json")
    assert refused.exit_code == 2
    assert "period" in json.loads(refused.stdout)["error"]["message"]


def test_each_line_names_its_provider_tasks_and_unconfirmed_cost(busy: Cli) -> None:
    # What the audit against the provider's book matches by (migration 0009), in both formats.
    rows = list(csv.DictReader(io.StringIO(busy.ok("usage", "export", "--since", str(TODAY)))))
    lines = json.loads(busy.ok("usage", "export", "--since", str(TODAY), "--format", "json"))

    generated, adjusted = rows[0], rows[2]
    assert json.loads(generated["provider_task_ids"]) == lines[0]["provider_task_ids"] != []
    assert (generated["unconfirmed_cost_micros"], generated["unconfirmed_cost_usd"]) == (
        "0",
        "$0.00",
    )
    assert (adjusted["provider_task_ids"], lines[2]["provider_task_ids"]) == ("", [])
    assert lines[0]["unconfirmed_cost_micros"] == 0
