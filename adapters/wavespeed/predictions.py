"""The prediction object of a submit or poll reply (provider_contracts.md §1.3, §1.5)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import httpx

SYNC_TIMED_OUT = 5004
"""`data.code` of a sync submit whose wait ran out: the task goes on, poll it."""

FAILED_STATUSES = frozenset({"failed", "cancelled", "timeout"})


@dataclass(frozen=True, slots=True)
class Prediction:
    id: str
    status: str
    error: str
    raw: Mapping[str, object]

    @property
    def completed(self) -> bool:
        return self.status == "completed"

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES


def read_prediction(response: httpx.Response) -> Prediction | None:
    """The `data` of an envelope, or None when the reply holds no prediction with an id."""
    try:
        envelope = response.json()
    except ValueError:
        return None
    data = envelope.get("data", envelope) if isinstance(envelope, dict) else None
    if not isinstance(data, dict):
        return None
    task_id, status, error = data.get("id"), data.get("status"), data.get("error")
    if not isinstance(task_id, str) or not task_id:
        return None
    return Prediction(
        id=task_id,
        status=status.lower() if isinstance(status, str) else "",
        error=error if isinstance(error, str) else "",
        raw=data,
    )
