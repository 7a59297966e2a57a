"""An idempotency key used for a different request, or whose first request still runs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IdempotencyConflict:
    key: str

    @property
    def message(self) -> str:
        return f"idempotency key {self.key!r} was already used for a different request"


@dataclass(frozen=True, slots=True)
class IdempotencyInProgress:
    key: str

    @property
    def message(self) -> str:
        return f"a request with idempotency key {self.key!r} is still running; retry later"
