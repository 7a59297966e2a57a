"""The ledger in memory: append-only, one line per operation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime

from imagestudio.application.ports.ledger import LedgerPlace
from imagestudio.domain.daily_spend import DayCharge
from imagestudio.domain.usage_record import UsageRecord


class InMemoryLedger:
    """The `Ledger` port on a list; no await between a check and its change."""

    def __init__(self) -> None:
        self._lines: list[UsageRecord] = []
        self._by_operation: dict[str, UsageRecord] = {}

    async def append(self, record: UsageRecord) -> None:
        self._refuse_a_second_line(record)
        self._by_operation[record.operation_id] = record
        self._lines.append(record)

    def draft(self) -> LedgerDraft:
        """A unit of work's draft of the ledger: lines kept aside until it merges them."""
        return LedgerDraft(self)

    def _refuse_a_second_line(self, record: UsageRecord) -> None:
        if record.operation_id in self._by_operation:
            raise ValueError(f"operation {record.operation_id} already has a ledger line")

    async def for_user(self, user_id: str, period: str | None = None) -> tuple[UsageRecord, ...]:
        return tuple(
            line
            for line in self._lines
            if line.user_id == user_id and (period is None or line.billing_period == period)
        )

    async def for_operation(self, operation_id: str) -> UsageRecord | None:
        return self._by_operation.get(operation_id)

    async def between(
        self, since: datetime, until: datetime | None = None, user_id: str | None = None
    ) -> tuple[UsageRecord, ...]:
        found = [
            line
            for line in self._lines
            if since <= line.finished_at
            and (until is None or line.finished_at < until)
            and (user_id is None or line.user_id == user_id)
        ]
        return tuple(sorted(found, key=lambda line: line.finished_at))  # stable: ties stay in order

    async def page(
        self,
        user_id: str,
        *,
        period: str | None = None,
        after: LedgerPlace | None = None,
        limit: int,
    ) -> tuple[UsageRecord, ...]:
        mine = [
            line
            for line in await self.for_user(user_id, period)
            if after is None or (line.finished_at, line.operation_id) < after
        ]
        mine.sort(key=lambda line: (line.finished_at, line.operation_id), reverse=True)
        return tuple(mine[: max(limit, 0)])

    async def daily_charges(self, user_id: str, period: str) -> tuple[DayCharge, ...]:
        sums: dict[date, list[int]] = defaultdict(lambda: [0, 0])
        for line in await self.for_user(user_id, period):
            day = sums[line.started_at.date()]
            day[0] += line.user_charge
            day[1] += 1
        return tuple(
            DayCharge(day=day, charge=charge, lines=lines)
            for day, (charge, lines) in sorted(sums.items())
        )

    def erase_user(self, user_id: str, tombstone: str) -> int:
        """Move the user's lines to `tombstone`, in place and in order; how many moved."""
        moved = 0
        for index, line in enumerate(self._lines):
            if line.user_id == user_id:
                self._lines[index] = self._by_operation[line.operation_id] = replace(
                    line, user_id=tombstone
                )
                moved += 1
        return moved


class LedgerDraft:
    """The lines a unit of work adds, appended to the ledger at its commit."""

    def __init__(self, ledger: InMemoryLedger) -> None:
        self._ledger = ledger
        self._lines: dict[str, UsageRecord] = {}

    def append(self, record: UsageRecord) -> None:
        self._ledger._refuse_a_second_line(record)
        if record.operation_id in self._lines:
            raise ValueError(f"operation {record.operation_id} already has a ledger line")
        self._lines[record.operation_id] = record

    def merge(self) -> None:
        for record in self._lines.values():
            self._ledger._by_operation[record.operation_id] = record
            self._ledger._lines.append(record)
