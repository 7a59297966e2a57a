"""The lease port: who is working on an unfinished operation, and until when.

A process renews the lease of every operation it runs; when it dies the lease runs out, and a
sweeper takes the operation over. Taking over is atomic, so a live operation in another
process (its lease still running) is never touched, and two sweepers never take the same one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class OperationLeases(Protocol):
    async def hold(self, operation_id: str, holder: str, until: datetime) -> None:
        """Take or renew the lease of an operation for `holder` until `until`."""
        ...

    async def take_expired(
        self, now: datetime, holder: str, until: datetime, limit: int = 100
    ) -> tuple[str, ...]:
        """Atomically take over unfinished operations whose lease ran out before `now`.

        Returns their ids; their leases are now `holder`'s until `until`.
        """
        ...

    async def take_unknown(
        self, now: datetime, holder: str, until: datetime, limit: int = 100
    ) -> tuple[str, ...]:
        """Atomically take `unknown` operations nobody is reconciling (no lease, or expired).

        Two reconcilers never take the same one; one that is still pending at the provider is
        simply left to its lease running out, and taken again then.
        """
        ...
