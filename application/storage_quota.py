"""The storage limit of a user's plan, checked before anything is spent on new outputs."""

from __future__ import annotations

from returns.result import Failure

from imagestudio.application.ports.asset_library import AssetLibrary
from imagestudio.application.ports.quota_store import QuotaStore
from imagestudio.domain.errors import StorageQuotaExceeded


async def storage_refusal(
    quota: QuotaStore, library: AssetLibrary, user_id: str
) -> StorageQuotaExceeded | None:
    """Why the user may not store another output now, or None.

    Output sizes are unknown until the provider answers, so the rule is "room left": a user
    below the limit may run one more operation, which can take them past it by its outputs;
    the next one is refused. An unknown user is left to the quota store's own refusal.
    """
    found = await quota.plan_of(user_id)
    if isinstance(found, Failure):
        return None
    limit = found.unwrap().storage_bytes
    if limit.is_unlimited:
        return None
    used = await library.bytes_used(user_id)
    if limit.admits(used + 1):
        return None
    assert limit.maximum is not None
    return StorageQuotaExceeded(user_id=user_id, used=used, limit=limit.maximum)
