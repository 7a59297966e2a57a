"""Export usage: the ledger's lines over a span of time, for billing and audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from returns.result import Failure, Result, Success

from imagestudio.application.ports.ledger import Ledger
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.usage_record import UsageRecord


@dataclass(frozen=True, slots=True, kw_only=True)
class UsageExport:
    since: datetime
    until: datetime | None = None
    """Exclusive; None: up to now."""
    user_id: str | None = None
    """None: every user."""


class ExportUsage:
    """Reads the ledger lines finished in [since, until): operations and adjustments alike."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    async def execute(self, export: UsageExport) -> Result[tuple[UsageRecord, ...], InvalidInput]:
        """The lines in the order they finished; an empty or reversed span is refused."""
        if export.since.tzinfo is None or (export.until and export.until.tzinfo is None):
            return Failure(InvalidInput("since", "give times with a timezone"))
        if export.until is not None and export.until <= export.since:
            return Failure(
                InvalidInput(
                    "until",
                    f"{export.until.isoformat()} is not after since ({export.since.isoformat()})",
                )
            )
        return Success(await self._ledger.between(export.since, export.until, export.user_id))
