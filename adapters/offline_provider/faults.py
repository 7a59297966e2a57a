"""Fault markers: a prompt containing one makes the offline provider fail in that one way.

For tests and demos of the money path; honoured only when the provider is built with
`honour_fault_markers=True` (the default). Every fault happens after `report.sending()`:

- ``[offline:fail]``     → ProviderFailed(UNAVAILABLE): the provider answered with an error.
- ``[offline:moderate]`` → ProviderFailed(MODERATION): the provider refused the prompt.
- ``[offline:filter]``   → OutputFiltered, after `report.accepted(...)`: billed, output withheld.
- ``[offline:unknown]``  → SubmitUnknown without a task id: the connection dropped after sending.
- ``[offline:lost]``     → SubmitUnknown naming the task id, after `report.accepted(...)`: the
  task was accepted and completed, its result was lost; a lookup of the task finds it.
- ``[offline:slow]``     → waits `slow_seconds` before being accepted, then succeeds, so a
  test can cancel the call while the submission is in flight.

When a prompt holds several markers, the first in the order above wins.
"""

from __future__ import annotations

from enum import StrEnum


class FaultMarker(StrEnum):
    FAIL = "[offline:fail]"
    MODERATE = "[offline:moderate]"
    FILTER = "[offline:filter]"
    UNKNOWN = "[offline:unknown]"
    LOST = "[offline:lost]"
    SLOW = "[offline:slow]"


def fault_in(prompt: str) -> FaultMarker | None:
    return next((marker for marker in FaultMarker if marker in prompt), None)
