"""The ledger port: the append-only record of what every operation cost."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from imagestudio.domain.usage_record import UsageRecord


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
