"""Label asset: tag, favourite and collect one of the caller's assets."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from imagestudio.application.asset_vault import AssetVault
from imagestudio.domain.asset import Asset
from imagestudio.domain.asset_query import MAX_LABELS, Relabel, label_problem
from imagestudio.domain.errors import AssetNotFound, InvalidInput
from imagestudio.domain.errors.echo import echoed


class LabelAsset:
    """Adds or removes tags and collections and sets the favourite flag, atomically."""

    def __init__(self, assets: AssetVault) -> None:
        self._library = assets.library

    async def execute(
        self, owner: str, asset_id: str, change: Relabel
    ) -> Result[Asset, InvalidInput | AssetNotFound]:
        """The asset with `change` made. Labels are 1-64 printable characters without
        surrounding spaces; an asset keeps at most 50 tags and 50 collections."""
        for field, labels in (
            ("tags", change.add_tags | change.remove_tags),
            ("collections", change.add_collections | change.remove_collections),
        ):
            for label in sorted(labels):
                if (problem := label_problem(label)) is not None:
                    return Failure(InvalidInput(field, f"{echoed(label)} {problem}"))
        current = await self._library.get(owner, asset_id)
        if current is None:
            return Failure(AssetNotFound(asset_id))
        after = change.apply(current)
        for field, labels in (("tags", after.tags), ("collections", after.collections)):
            if len(labels) > MAX_LABELS:
                return Failure(InvalidInput(field, f"an asset keeps at most {MAX_LABELS} {field}"))
        changed = await self._library.relabel(owner, asset_id, change)
        if changed is None:  # deleted meanwhile
            return Failure(AssetNotFound(asset_id))
        return Success(changed)
