"""A `--since`/`--before` option's value: an ISO date (midnight UTC) or time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.cli.output import fail


def moment(option: str, text: str | None, as_json: bool) -> datetime | None:
    """An ISO date (midnight UTC) or time (UTC when it names no zone); exits on anything else."""
    if text is None:
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        fail(InvalidInput(option, f"{text!r} is not a date (2026-11-01) or ISO time"), as_json)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
