"""An idempotency key used for a different request, or whose first request still runs."""

from __future__ import annotations

from dataclasses import dataclass

from imagestudio.domain.errors.echo import echoed


@dataclass(frozen=True, slots=True)
class IdempotencyConflict:
    key: str

    @property
    def message(self) -> str:
        return f"idempotency key {echoed(self.key)} was already used for a different request"


@dataclass(frozen=True, slots=True)
class IdempotencyInProgress:
    key: str

    @property
    def message(self) -> str:
        return f"a request with idempotency key {echoed(self.key)} is still running; retry later"
