"""A usage row as the Usage page draws it: a bar (a `<meter>`) with its numbers written out —
used, held by operations still running, the limit, what is left and when it resets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from imagestudio.application.use_cases.usage import STORAGE, UsageRow
from imagestudio.domain.money import format_usd
from imagestudio.domain.quota import CONCURRENCY, SPEND

_TITLES = {SPEND: "Spend", CONCURRENCY: "Running at once", STORAGE: "Stored assets"}


@dataclass(frozen=True, slots=True, kw_only=True)
class UsageBar:
    name: str
    title: str
    used: str
    held: str
    limit: str
    remaining: str
    resets_at: datetime | None
    value: int
    """What the meter shows: used and held together."""
    maximum: int | None
    """The meter's end; None for an unlimited row (no bar, the numbers only)."""

    @property
    def percent(self) -> int:
        """Of the limit taken (used and held); 0 for unlimited."""
        if not self.maximum:
            return 100 if self.maximum == 0 and self.value else 0
        return min(100, round(100 * self.value / self.maximum))


def usage_bar(row: UsageRow) -> UsageBar:
    """The row with its amounts in its own unit (dollars, bytes, a count)."""
    limit = row.limit.maximum
    remaining = row.remaining
    return UsageBar(
        name=row.name,
        title=_TITLES.get(row.name, row.name.replace("-", " ").capitalize()),
        used=amount(row, row.used),
        held=amount(row, row.held),
        limit="unlimited" if limit is None else amount(row, limit),
        remaining="no limit" if remaining is None else amount(row, remaining),
        resets_at=row.resets_at,
        value=row.used + row.held,
        maximum=limit,
    )


def amount(row: UsageRow, value: int) -> str:
    if row.is_money:
        return format_usd(value)
    if row.name == STORAGE:
        return byte_text(value)
    return str(value)


def byte_text(count: int) -> str:
    """Bytes in the largest unit that keeps a whole number before the point (1.5 MB)."""
    if count < 1000:
        return f"{count} B"
    size = count / 1000
    for unit in ("kB", "MB"):
        if size < 1000:
            return f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"
