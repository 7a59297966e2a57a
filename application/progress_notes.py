"""What providers last said of their running operations' progress, in this process only.

Progress is no status change: it is never stored (the money path writes nothing for it), so
only a listener on the process running the operation hears it. Bounded: the oldest notes go
first, and a settled operation's note is dropped.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

MOST_NOTES = 10_000
Watcher = Callable[[str, str], None]
"""Told `(operation_id, user_id)` of each operation this process starts running."""


class ProgressNotes:
    def __init__(self, most: int = MOST_NOTES) -> None:
        self._notes: OrderedDict[str, str] = OrderedDict()
        self._most = most
        self._watchers: list[Watcher] = []

    def watch(self, watcher: Watcher) -> Callable[[], None]:
        """Tell `watcher` of every operation this process starts running from now on (the CLI
        follows the one it runs); returns what stops it."""
        self._watchers.append(watcher)
        return lambda: self._watchers.remove(watcher)

    def started(self, operation_id: str, user_id: str) -> None:
        """An operation was accepted and this process runs it."""
        for watcher in tuple(self._watchers):
            watcher(operation_id, user_id)

    def tell(self, operation_id: str, detail: str) -> None:
        """The provider's latest word on `operation_id` (replaces the one before)."""
        self._notes[operation_id] = detail
        self._notes.move_to_end(operation_id)
        while len(self._notes) > self._most:
            self._notes.popitem(last=False)

    def latest(self, operation_id: str) -> str | None:
        return self._notes.get(operation_id)

    def forget(self, operation_id: str) -> None:
        self._notes.pop(operation_id, None)
