"""The storage limit of a user's plan: whether another operation may store outputs."""

from __future__ import annotations

from imagestudio.domain.errors import StorageQuotaExceeded
from imagestudio.domain.plan import Plan


def storage_refusal(user_id: str, plan: Plan, used_bytes: int) -> StorageQuotaExceeded | None:
    """Why the user, with `used_bytes` stored, may not store another output now, or None.

    Output sizes are unknown until the provider answers, so the rule is "room left": a user
    below the limit may run one more operation, which can take them past it by its outputs;
    the next one is refused.
    """
    limit = plan.storage_bytes
    if limit.admits(used_bytes + 1):
        return None  # unlimited admits everything
    assert limit.maximum is not None
    return StorageQuotaExceeded(user_id=user_id, used=used_bytes, limit=limit.maximum)
