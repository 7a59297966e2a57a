"""A stored result of an operation, owned by one user, and a place in that user's listing."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_kind import OperationKind


@dataclass(frozen=True, slots=True, kw_only=True)
class Asset:
    id: str
    owner: str
    operation_id: str
    model_id: str
    kind: OperationKind
    media_type: MediaType
    size_bytes: int
    created_at: datetime
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    prompt: str = ""
    cost: int = 0
    """The user's charge for this asset's share of its operation, from the ledger."""
    vertex_count: int | None = None
    """For a 3D model: how many vertices its meshes have."""
    derived_from: tuple[str, ...] = ()
    """The ids of the input assets the operation was run on: its lineage, one step back."""
    tags: frozenset[str] = frozenset()
    favourite: bool = False
    collections: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetCursor:
    """A place in an owner's assets listed newest first: the last asset a page showed."""

    created_at: datetime
    asset_id: str

    @classmethod
    def at(cls, asset: Asset) -> AssetCursor:
        return cls(created_at=asset.created_at, asset_id=asset.id)

    def precedes(self, asset: Asset) -> bool:
        """Whether `asset` comes strictly after this place, newest first."""
        return _position(asset) < (self.created_at, self.asset_id)


def newest_first(
    assets: Iterable[Asset], *, after: AssetCursor | None, limit: int
) -> tuple[Asset, ...]:
    """At most `limit` of `assets` strictly after `after`, by (created_at, id) descending.

    Ties in `created_at` are broken by id, so every asset has one place: a cursor never repeats
    an asset nor skips an older one, whatever was saved or deleted in between.
    """
    following = (asset for asset in assets if after is None or after.precedes(asset))
    return tuple(heapq.nlargest(max(limit, 0), following, key=_position))


def _position(asset: Asset) -> tuple[datetime, str]:
    return (asset.created_at, asset.id)
