"""Delete a user: their assets, keys, operations and quota go; their ledger lines stay,
under a tombstone, so every account still adds up."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from imagestudio.application.asset_vault import AssetVault
from imagestudio.application.ports.account_erasure import AccountErasure, ErasureReport
from imagestudio.application.ports.clock import IdGenerator
from imagestudio.application.ports.quota_store import QuotaStore
from imagestudio.domain.asset_query import AssetQuery
from imagestudio.domain.errors import InvalidInput, UnknownUser, UserBusy
from imagestudio.domain.errors.echo import echoed


@dataclass(frozen=True, slots=True, kw_only=True)
class UserDeletion:
    user_id: str
    tombstone: str
    """What the user's ledger lines now name instead of them."""
    assets_deleted: int
    bytes_freed: int
    erased: ErasureReport


class DeleteUser:
    """Erases a user. Refused while one of their operations is in flight or unknown: its money
    and outputs must settle first. Running it again after a crash finishes the job. The default
    user (who every call without a user acts as) is refused: the next start would make them
    again, on the default plan, as if nothing had been deleted."""

    def __init__(
        self,
        assets: AssetVault,
        erasure: AccountErasure,
        quota: QuotaStore,
        ids: IdGenerator,
        default_user: str,
    ) -> None:
        self._assets = assets
        self._erasure = erasure
        self._quota = quota
        self._ids = ids
        self._default_user = default_user

    async def execute(
        self, user_id: str
    ) -> Result[UserDeletion, UserBusy | UnknownUser | InvalidInput]:
        """Delete the user's assets (rows, then bytes), then erase their records in one step.

        The tombstone is a fresh id (`deleted_…`), unrelated to the user id, so the kept
        ledger lines cannot be traced back to the person.
        """
        if user_id == self._default_user:
            return Failure(
                InvalidInput(
                    "user",
                    f"{echoed(user_id)} is the default user (IMAGESTUDIO_DEFAULT_USER), who every "
                    "command without --user acts as and the next start would make again: set "
                    "another first",
                )
            )
        busy = await self._erasure.unsettled_operations(user_id)
        if busy:
            return Failure(UserBusy(user_id=user_id, operation_ids=busy))
        exists = not isinstance(await self._quota.plan_of(user_id), Failure)
        deleted, freed = await self._assets.delete_matching(user_id, AssetQuery())
        tombstone = self._ids.new_id("deleted")
        erased = await self._erasure.erase(user_id, tombstone)
        if not (exists or erased.user_existed or deleted or erased.ledger_lines_kept):
            return Failure(UnknownUser(user_id))
        return Success(
            UserDeletion(
                user_id=user_id,
                tombstone=tombstone,
                assets_deleted=deleted,
                bytes_freed=freed,
                erased=erased,
            )
        )
