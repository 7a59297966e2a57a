"""Export usage: the ledger's lines over a span of time, for billing and audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from returns.result import Failure, Result, Success

from imagestudio.application.page_cursors import moment_problem
from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.ledger import Ledger
from imagestudio.application.time_spans import future_problem, span_problem
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

    def __init__(self, ledger: Ledger, clock: Clock) -> None:
        self._ledger = ledger
        self._clock = clock

    async def execute(self, export: UsageExport) -> Result[tuple[UsageRecord, ...], InvalidInput]:
        """The lines in the order they finished; an empty or reversed span is refused, one
        left open to now too when it starts after now."""
        if export.since.tzinfo is None or (export.until and export.until.tzinfo is None):
            return Failure(InvalidInput("since", "give times with a timezone"))
        # A zone at the calendar's edge has no UTC time: refused by name, not overflowing in
        # the database's driver (the HTTP and CLI readers refuse it before; this is the API's).
        for field, moment in (("since", export.since), ("until", export.until)):
            if (edge := moment_problem(field, moment)) is not None:
                return Failure(edge)
        if (problem := span_problem("since", export.since, "until", export.until)) is not None:
            return Failure(problem)
        if (
            late := future_problem("since", export.since, export.until, self._clock.now())
        ) is not None:
            return Failure(late)
        return Success(await self._ledger.between(export.since, export.until, export.user_id))
