"""What only the in-memory adapters promise beyond the shared contracts.

The ledger, operation store and idempotency store behaviours every implementation shares are
in test_store_contracts.py (memory, SQLite, PostgreSQL).
"""

from __future__ import annotations

from datetime import UTC, datetime

from imagestudio.adapters.memory.idempotency import InMemoryIdempotencyStore
from imagestudio.application.ports.idempotency import Replay

T0 = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


async def test_the_in_memory_key_store_replays_any_outcome_even_none() -> None:
    keys = InMemoryIdempotencyStore[None]()
    await keys.claim("alice", "k1", "hash-a", T0)
    await keys.finish("alice", "k1", None)

    assert await keys.claim("alice", "k1", "hash-a", T0) == Replay(None)
