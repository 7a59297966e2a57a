"""PostgreSQL connections kept between units, checked out of SQLAlchemy's pool once.

A unit used to check a connection out of the pool at its first flush and back in at its end:
a `Connection` made, the pool's queue and lock, its events, on every unit (about 25 µs of CPU
each way, a reserve + commit being two units). The connections a unit gives back clean are
kept here instead, up to the pool's size, and the next unit takes one: a list and a lock.
What the pool would have done at a checkout is still done here: a connection that was
invalidated, or that is older than the pool's last invalidation (a lost server), is closed and
replaced. Overflow connections still go back to the pool, which closes them as before.
"""

from __future__ import annotations

import threading

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool


class KeptConnections:
    """Clean connections of `engine`, taken and given back from any thread."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        pool = engine.pool
        self._pool = pool
        # Only a plain sized pool: NullPool means a connection per unit, and a pool that
        # recycles connections by age must see each of them come back.
        recycles = getattr(pool, "_recycle", -1) >= 0
        self._most = pool.size() if isinstance(pool, QueuePool) and not recycles else 0
        self._kept: list[Connection] = []
        self._lock = threading.Lock()

    def take(self) -> Connection:
        """A kept connection still good to use, or a new one from the pool."""
        while True:
            with self._lock:
                connection = self._kept.pop() if self._kept else None
            if connection is None:
                return self._engine.connect()
            if self._usable(connection):
                return connection
            connection.close()  # back to the pool, which replaces what is stale

    def give_back(self, connection: Connection) -> None:
        """Keep `connection` (out of any transaction) for the next unit, or close it."""
        if not connection.invalidated and not connection.closed:
            with self._lock:
                if len(self._kept) < self._most:
                    self._kept.append(connection)
                    return
        connection.close()

    def close(self) -> None:
        """Give every kept connection back to the pool (before the engine is disposed of)."""
        with self._lock:
            kept, self._kept = self._kept, []
        for connection in kept:
            connection.close()

    def __len__(self) -> int:
        return len(self._kept)

    def _usable(self, connection: Connection) -> bool:
        if connection.invalidated or connection.closed:
            return False
        record = getattr(connection.connection, "_connection_record", None)
        invalidated_at = getattr(self._pool, "_invalidate_time", 0)
        return record is None or record.starttime >= invalidated_at
