"""The storage limit of a user's plan, checked before anything is spent on new outputs."""

from __future__ import annotations

from imagestudio.application.ports.asset_library import AssetLibrary
from imagestudio.domain.errors import StorageQuotaExceeded
from imagestudio.domain.plan import Plan


async def storage_refusal(
    plan: Plan, library: AssetLibrary, user_id: str
) -> StorageQuotaExceeded | None:
    """Why the user may not store another output now, or None.

    Output sizes are unknown until the provider answers, so the rule is "room left": a user
    below the limit may run one more operation, which can take them past it by its outputs;
    the next one is refused. An unlimited plan costs no query.
    """
    limit = plan.storage_bytes
    if limit.is_unlimited:
        return None
    used = await library.bytes_used(user_id)
    if limit.admits(used + 1):
        return None
    assert limit.maximum is not None
    return StorageQuotaExceeded(user_id=user_id, used=used, limit=limit.maximum)
