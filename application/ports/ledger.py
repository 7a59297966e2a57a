"""The ledger port: the append-only record of what every operation cost."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from imagestudio.domain.daily_spend import DayCharge
from imagestudio.domain.usage_record import UsageRecord

LedgerPlace = tuple[datetime, str]
"""A place in a user's lines listed newest first: the last line's `(finished_at, operation_id)`."""


class Ledger(Protocol):
    async def append(self, record: UsageRecord) -> None:
        """Add one line; a second line for the same operation is refused (ValueError)."""
        ...

    async def for_user(self, user_id: str, period: str | None = None) -> tuple[UsageRecord, ...]:
        """The user's lines, oldest first, optionally only for one billing period key."""
        ...

    async def for_operation(self, operation_id: str) -> UsageRecord | None:
        """The line of one operation, if it has finished."""
        ...

    async def between(
        self, since: datetime, until: datetime | None = None, user_id: str | None = None
    ) -> tuple[UsageRecord, ...]:
        """The lines finished in [since, until) (no end when `until` is None), of one user or
        of everyone, ordered by when they finished."""
        ...

    async def page(
        self,
        user_id: str,
        *,
        period: str | None = None,
        after: LedgerPlace | None = None,
        limit: int,
    ) -> tuple[UsageRecord, ...]:
        """At most `limit` of the user's lines (of one billing period key, if given), newest
        first by `(finished_at, operation_id)`, strictly after `after`."""
        ...

    async def daily_charges(self, user_id: str, period: str) -> tuple[DayCharge, ...]:
        """The user's charge summed per UTC day their lines started, over the lines of one
        billing period key (summed by the store, not line by line here); only days with
        lines, oldest first."""
        ...
