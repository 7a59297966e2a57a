"""A ledger export's CSV holds no cell a spreadsheet would run as a formula ("CSV injection"):
whatever text field of a ledger line a user or a provider filled, an operator opening the export
sees it as text. The fields are enumerated from `UsageRecord`, so a new one is covered too."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, get_type_hints

import pytest

from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.usage_record import Outcome, UsageRecord
from imagestudio.entrypoints.ledger_columns import as_text, ledger_csv

if TYPE_CHECKING:
    from conftest import Cli

AT = datetime(2026, 3, 1, 12, tzinfo=UTC)
FORMULAS = ("=1+1", "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A2)", "\t=1", "\r=1")
LINE = UsageRecord(
    user_id="ada",
    operation_id="op_1",
    model_id="wavespeed/flux-dev",
    provider="wavespeed",
    kind=OperationKind.TEXT_TO_IMAGE,
    outputs=1,
    user_charge=-250_000,
    provider_cost=0,
    outcome=Outcome.SUCCEEDED,
    output_bytes=1,
    latency_ms=1,
    billing_period="2026-03",
    started_at=AT,
    finished_at=AT,
)
TEXT_FIELDS = [
    field.name
    for field in dataclasses.fields(UsageRecord)
    if get_type_hints(UsageRecord)[field.name] in (str, str | None, tuple[str, ...])
]


def _cells(line: UsageRecord) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(ledger_csv([line]), newline="")))


def _hostile(name: str, text: str) -> UsageRecord:
    value: Any = (text,) if get_type_hints(UsageRecord)[name] == tuple[str, ...] else text
    return dataclasses.replace(LINE, **{name: value})


def test_the_text_fields_are_found() -> None:
    assert {"user_id", "idempotency_key", "reason", "model_id"} <= set(TEXT_FIELDS)


@pytest.mark.parametrize("name", TEXT_FIELDS)
@pytest.mark.parametrize("text", FORMULAS)
def test_no_text_field_becomes_a_formula(name: str, text: str) -> None:
    [row] = _cells(_hostile(name, text))
    for column, cell in row.items():
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), (column, cell)
        assert not cell.startswith("-") or cell in ("-$0.25", "-250000"), (column, cell)
    if name != "provider_task_ids":  # a JSON array, which starts with "["
        assert "'" + text in row.values()


def test_amounts_and_plain_text_stay_as_they_are() -> None:
    [row] = _cells(dataclasses.replace(LINE, reason="late delivery", idempotency_key="k-1"))
    assert row["user_charge_usd"] == "-$0.25"
    assert row["user_charge_micros"] == "-250000"
    assert row["reason"] == "late delivery"
    assert row["idempotency_key"] == "k-1"
    assert as_text("-12.5") == "-12.5"
    assert as_text("-1+1") == "'-1+1"


def test_an_idempotency_key_written_as_a_formula_is_text_in_the_csv_and_as_sent_in_json(
    local_cli: Cli,
) -> None:
    local_cli.ok("generate", "a kite", "--idempotency-key", '=HYPERLINK("http://x")')
    since = datetime.now(UTC).date().isoformat()
    [row] = list(csv.DictReader(io.StringIO(local_cli.ok("usage", "export", "--since", since))))
    assert row["idempotency_key"] == '\'=HYPERLINK("http://x")'
    [line] = json.loads(local_cli.ok("usage", "export", "--since", since, "--format", "json"))
    assert line["idempotency_key"] == '=HYPERLINK("http://x")'
