"""The provider's book port: what a provider itself says it billed us (read-only).

Some providers keep a record of every task they billed (the sandbox does); the real WaveSpeed
and Stability accounts show a balance only. Either is read here, never written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from imagestudio.domain.money import Micros


@dataclass(frozen=True, slots=True, kw_only=True)
class BilledTask:
    """One task the provider says it billed."""

    task_id: str
    route: str
    """What was billed, as the catalog's `provider_path` names it without its query
    (`bytedance/seedream-v4`, `v2beta/stable-image/generate/core`)."""
    amount: Micros
    billed_at: datetime
    filtered: bool = False
    """Billed, though moderation withheld or blurred the output."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BilledTasks:
    """Every task the provider billed in the span asked for, task by task."""

    tasks: tuple[BilledTask, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Balance:
    """The account's balance now, in micro-dollars: all a balance-only provider can say."""

    amount: Micros


@dataclass(frozen=True, slots=True, kw_only=True)
class BookUnreadable:
    """The provider could not be asked (unreachable, a key refused): why."""

    reason: str


BookReading = BilledTasks | Balance | BookUnreadable


class ProviderBook(Protocol):
    """One provider's own record of what it billed this account."""

    provider: str

    async def read(self, since: datetime, until: datetime) -> BookReading:
        """The tasks billed in [since, until), where the provider keeps them; otherwise the
        balance now. Read-only; an expected failure is `BookUnreadable`, not an exception."""
        ...
