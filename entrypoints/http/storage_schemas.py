"""The admin API's storage upkeep and user erasure bodies, as `imagestudio storage … --json` and
`imagestudio users delete --json` print them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from imagestudio.application.use_cases.collect_garbage import GarbageReport
from imagestudio.application.use_cases.delete_user import UserDeletion
from imagestudio.application.use_cases.sweep_storage import StorageSweepReport


class StorageSweepOut(BaseModel):
    deleted: int
    bytes_freed: int
    owners_checked: int
    owners_without_plan: list[str] = Field(
        description="Owners of assets no plan is known for: their assets are kept."
    )

    @classmethod
    def of(cls, report: StorageSweepReport) -> StorageSweepOut:
        return cls(
            deleted=report.deleted,
            bytes_freed=report.bytes_freed,
            owners_checked=report.owners_checked,
            owners_without_plan=list(report.owners_without_plan),
        )


class GarbageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Strict: `false` is no number of seconds, and 0 or "yes" no answer to "dry run?".
    dry_run: bool = Field(
        default=False, strict=True, description="Report what would be removed; remove none."
    )
    margin_seconds: float | None = Field(
        default=None,
        strict=True,
        ge=0,
        le=10 * 365 * 86_400,
        description="Leave bytes younger than this alone (default IMAGESTUDIO_GC_MARGIN_SECONDS).",
    )


class OrphanOut(BaseModel):
    owner: str
    id: str
    size_bytes: int
    thumbnail: int | None = Field(
        default=None, description="The size of the thumbnail this is; null: the asset's bytes."
    )


class MissingBytesOut(BaseModel):
    owner: str
    id: str


class GarbageOut(BaseModel):
    dry_run: bool
    orphans: list[OrphanOut] = Field(
        description="Bytes no asset names, older than the margin: removed (or, dry, would be)."
    )
    bytes_freed: int
    young_orphans: int = Field(description="Bytes without an asset, younger than the margin.")
    missing: list[MissingBytesOut] = Field(
        description="Assets whose bytes are gone: reported, never changed."
    )

    @classmethod
    def of(cls, report: GarbageReport) -> GarbageOut:
        return cls(
            dry_run=report.dry_run,
            orphans=[
                OrphanOut(
                    owner=o.owner, id=o.asset_id, size_bytes=o.size_bytes, thumbnail=o.thumbnail
                )
                for o in report.orphans
            ],
            bytes_freed=report.bytes_freed,
            young_orphans=report.young_orphans,
            missing=[MissingBytesOut(owner=m.owner, id=m.asset_id) for m in report.missing],
        )


class UserDeletionOut(BaseModel):
    user_id: str
    tombstone: str = Field(description="What the user's kept ledger lines name instead of them.")
    assets_deleted: int
    bytes_freed: int
    ledger_lines_kept: int
    operations_deleted: int
    keys_deleted: int
    idempotency_keys_deleted: int
    alerts_deleted: int

    @classmethod
    def of(cls, deletion: UserDeletion) -> UserDeletionOut:
        erased = deletion.erased
        return cls(
            user_id=deletion.user_id,
            tombstone=deletion.tombstone,
            assets_deleted=deletion.assets_deleted,
            bytes_freed=deletion.bytes_freed,
            ledger_lines_kept=erased.ledger_lines_kept,
            operations_deleted=erased.operations_deleted,
            keys_deleted=erased.keys_deleted,
            idempotency_keys_deleted=erased.idempotency_keys_deleted,
            alerts_deleted=erased.alerts_deleted,
        )
