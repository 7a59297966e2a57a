"""The columns of a ledger export, in order, and each line written in them: the one shape of
`imagestudio usage export`, `GET /v1/admin/usage/export` and `GET /v1/usage/export` (CSV or
JSON). Light on purpose: the CLI imports it before any command runs."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from imagestudio.domain.money import format_usd

if TYPE_CHECKING:
    from imagestudio.domain.usage_record import UsageRecord

EXPORT_FIELDS = [
    "finished_at",
    "started_at",
    "user_id",
    "line_id",
    "outcome",
    "kind",
    "model_id",
    "provider",
    "outputs",
    "user_charge_micros",
    "user_charge_usd",
    "provider_cost_micros",
    "provider_cost_usd",
    "billing_period",
    "output_bytes",
    "latency_ms",
    "idempotency_key",
    "reason",
    "provider_task_ids",
    "unconfirmed_cost_micros",
    "unconfirmed_cost_usd",
]


def line_fields(line: UsageRecord) -> dict[str, object]:
    """The line's value for each column (times as datetimes, task ids as a list)."""
    return {
        "finished_at": line.finished_at,
        "started_at": line.started_at,
        "user_id": line.user_id,
        "line_id": line.operation_id,
        "outcome": line.outcome.value,
        "kind": None if line.kind is None else line.kind.value,
        "model_id": line.model_id,
        "provider": line.provider,
        "outputs": line.outputs,
        "user_charge_micros": line.user_charge,
        "user_charge_usd": format_usd(line.user_charge),
        "provider_cost_micros": line.provider_cost,
        "provider_cost_usd": format_usd(line.provider_cost),
        "billing_period": line.billing_period,
        "output_bytes": line.output_bytes,
        "latency_ms": line.latency_ms,
        "idempotency_key": line.idempotency_key,
        "reason": line.reason,
        "provider_task_ids": list(line.provider_task_ids),
        "unconfirmed_cost_micros": line.unconfirmed_cost,
        "unconfirmed_cost_usd": format_usd(line.unconfirmed_cost),
    }


def line_json(line: UsageRecord) -> dict[str, object]:
    """The line as JSON values: times in ISO 8601."""
    return {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in line_fields(line).items()
    }


_FORMULA = tuple("=+-@\t\r")
"""What a spreadsheet takes a cell starting with for a formula (OWASP's "CSV injection")."""
_AMOUNT = re.compile(r"-?\$?\d+(?:\.\d+)?")


def as_text(cell: object) -> object:
    """A text cell a spreadsheet would run as a formula (a user's idempotency key, a provider's
    reason, starting with `=`, `+`, `-`, `@`, tab or CR), given a leading `'` so it is shown as the
    text it is; a negative amount stays a number. JSON exports keep every value as it is."""
    if isinstance(cell, str) and cell.startswith(_FORMULA) and not _AMOUNT.fullmatch(cell):
        return "'" + cell
    return cell


def ledger_csv(lines: Iterable[UsageRecord]) -> str:
    """A header and one row per line: times in ISO 8601, an empty cell for none, the task ids
    as a JSON array (an id may hold a comma) or empty when there are none, and no cell that a
    spreadsheet would run as a formula (`as_text`)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for line in lines:
        cells = line_json(line)
        ids = line.provider_task_ids
        cells["provider_task_ids"] = json.dumps(list(ids)) if ids else ""
        writer.writerow({name: as_text(value) for name, value in cells.items()})
    return buffer.getvalue()
