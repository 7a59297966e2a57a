"""The sandbox's own books: balances, and every task it billed (for reconciliation checks)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class BilledTask:
    provider: str
    """"wavespeed" (amount in USD) or "stability" (amount in credits)."""
    task_id: str
    route: str
    """The model path or endpoint that was billed."""
    amount: Decimal
    filtered: bool = False
    """Billed, but the output was withheld or blurred by moderation."""
    billed_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    """When it was billed (wall clock, UTC): what an audit matches calls without a task id by."""


class BillingBook:
    """Balances charged on success only. Thread-safe (tests read it while uvicorn serves)."""

    def __init__(self, balances: dict[str, Decimal]) -> None:
        self._balances = dict(balances)
        self._billed: list[BilledTask] = []
        self._lock = threading.Lock()

    def balance(self, provider: str) -> Decimal:
        with self._lock:
            return self._balances[provider]

    def can_afford(self, provider: str, amount: Decimal) -> bool:
        with self._lock:
            return self._balances[provider] >= amount

    def charge(self, task: BilledTask) -> None:
        with self._lock:
            self._balances[task.provider] -= task.amount
            self._billed.append(task)

    def billed(self, provider: str | None = None) -> tuple[BilledTask, ...]:
        with self._lock:
            return tuple(t for t in self._billed if provider is None or t.provider == provider)

    def find(self, provider: str, task_id: str) -> BilledTask | None:
        with self._lock:
            return next(
                (t for t in self._billed if t.provider == provider and t.task_id == task_id), None
            )
