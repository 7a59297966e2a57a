"""What providers last said of their running operations' progress, in this process only.

Progress is no status change: it is never stored (the money path writes nothing for it), so
only a listener on the process running the operation hears it. Bounded: the oldest notes go
first, and a settled operation's note is dropped.
"""

from __future__ import annotations

from collections import OrderedDict

MOST_NOTES = 10_000


class ProgressNotes:
    def __init__(self, most: int = MOST_NOTES) -> None:
        self._notes: OrderedDict[str, str] = OrderedDict()
        self._most = most

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
