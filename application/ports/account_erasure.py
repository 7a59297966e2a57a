"""The account erasure port: remove a user's records, keep their ledger lines anonymised."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class ErasureReport:
    """What an erasure touched, per kind of record."""

    user_existed: bool
    ledger_lines_kept: int
    """Ledger lines (and adjustments) now under the tombstone instead of the user id."""
    operations_deleted: int
    keys_deleted: int
    idempotency_keys_deleted: int
    alerts_deleted: int


class AccountErasure(Protocol):
    async def unsettled_operations(self, user_id: str) -> tuple[str, ...]:
        """The ids of the user's operations not settled yet (requested, reserved, submitted or
        unknown): erasing while they run would lose money or outputs."""
        ...

    async def erase(self, user_id: str, tombstone: str) -> ErasureReport:
        """In one step where the store allows it: every ledger line and adjustment of the user
        moves to `tombstone` (amounts untouched, so every total still adds up); the user's
        operations, API keys, idempotency records, alerts, quota counters, reservations and the
        user itself are deleted. Records under an id with no user row (orphans) are erased
        the same way; erasing an id that holds nothing changes nothing. Raises ValueError, and
        changes nothing, while the user has unsettled operations or held reservations, or when
        `tombstone` is the user id or names an existing user."""
        ...
