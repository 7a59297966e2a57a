"""One database transaction of a unit of work: writes queued in Python, sent with the next read
or the commit, in one hand-off to the connection per flush."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from sqlalchemy.engine import Connection

T = TypeVar("T")
Write = Callable[[Connection], object]
"""A deferred write; what it returns is ignored."""


class TransactionFailed(RuntimeError):
    """A flush of this transaction failed earlier: only a rollback is left to do."""


class Link(Protocol):
    """How a transaction reaches its connection: `run` hands work over (once per flush);
    `begin` and `commit` run inside a hand-off; `rollback` ends the transaction, if one is open,
    whatever was cut short."""

    async def run(self, work: Callable[[Connection], T]) -> T: ...
    def begin(self, connection: Connection) -> None: ...
    def commit(self, connection: Connection) -> None: ...
    async def rollback(self) -> None: ...


class Transaction:
    """One database transaction, begun at its first flush; `commit` or `rollback` ends it."""

    def __init__(self, link: Link) -> None:
        self._link = link
        self._pending: list[Write] = []
        self._sent = False
        self._ended = False
        self._failed: BaseException | None = None
        self._committed: list[Callable[[], object]] = []

    def later(self, write: Write) -> None:
        """Queue `write` for the next flush (the next `now`, or the commit)."""
        self._usable()
        self._pending.append(write)

    def when_committed(self, hook: Callable[[], object]) -> None:
        """Run `hook` once the transaction has committed (never, if it rolls back)."""
        self._usable()
        self._committed.append(hook)

    async def now(self, work: Callable[[Connection], T]) -> T:
        """Send the queued writes, then `work`, in one hand-off; `work`'s answer."""
        self._usable()
        return await self._flush(work)

    async def commit(self) -> None:
        """Send the queued writes and COMMIT in one hand-off (nothing at all if none was sent)."""
        self._usable()
        if self._pending or self._sent:
            await self._flush(self._link.commit)
        self._ended = True
        hooks, self._committed = self._committed, []
        for hook in hooks:
            hook()

    async def rollback(self) -> None:
        """Drop the queued writes and roll back what was sent; safe to call at any time."""
        was_open = self._sent and not self._ended
        self._pending.clear()
        self._committed.clear()
        self._ended = True
        if was_open:
            await self._link.rollback()

    def _usable(self) -> None:
        if self._failed is not None:
            raise TransactionFailed("a flush failed: the transaction can only roll back")
        if self._ended:
            raise TransactionFailed("the transaction is over")

    async def _flush(self, work: Callable[[Connection], T]) -> T:
        pending, self._pending = self._pending, []
        link = self._link

        def flush(connection: Connection) -> T:
            link.begin(connection)
            for write in pending:
                write(connection)
            return work(connection)

        self._sent = True
        try:
            return await link.run(flush)
        except BaseException as error:  # cancelled too: what was sent is unknown, only undo
            self._failed = error
            raise
