"""The storage limit of a user's plan, checked before anything is spent on new outputs."""

from __future__ import annotations

from imagestudio.application.ports.asset_library import AssetLibrary
from imagestudio.domain import storage_room
from imagestudio.domain.errors import StorageQuotaExceeded
from imagestudio.domain.plan import Plan


async def storage_refusal(
    plan: Plan, library: AssetLibrary, user_id: str
) -> StorageQuotaExceeded | None:
    """Why the user may not store another output now (`domain/storage_room.py`), or None; an
    unlimited plan costs no query. (The money path checks it inside its accept transaction.)"""
    if plan.storage_bytes.is_unlimited:
        return None
    return storage_room.storage_refusal(user_id, plan, await library.bytes_used(user_id))
