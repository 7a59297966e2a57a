"""The asset library's bodies: an asset with its labels and lineage, and a change of labels."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from imagestudio.application.use_cases.show_asset import AssetDetails
from imagestudio.domain.asset import Asset
from imagestudio.domain.asset_query import MAX_LABELS, Relabel
from imagestudio.domain.money import format_usd
from imagestudio.entrypoints.http.schemas import AssetOut


class LibraryAssetOut(AssetOut):
    """An asset as the library keeps it: what it is, what made it, what it cost, its labels."""

    kind: str
    model: str
    operation_id: str
    prompt: str
    cost_micros: int
    cost_usd: str
    vertex_count: int | None = None
    derived_from: list[str] = Field(description="The input assets it was made from.")
    tags: list[str]
    favourite: bool
    collections: list[str]

    @classmethod
    def of(cls, asset: Asset, url: str) -> LibraryAssetOut:
        return cls(
            **AssetOut.of(asset, url).model_dump(),
            kind=asset.kind.value,
            model=asset.model_id,
            operation_id=asset.operation_id,
            prompt=asset.prompt,
            cost_micros=asset.cost,
            cost_usd=format_usd(asset.cost),
            vertex_count=asset.vertex_count,
            derived_from=list(asset.derived_from),
            tags=sorted(asset.tags),
            favourite=asset.favourite,
            collections=sorted(asset.collections),
        )


class LibraryPageOut(BaseModel):
    items: list[LibraryAssetOut]
    next_cursor: str | None = None
    """Pass it back as `cursor`, with the same filters, for the next page."""


class AncestorOut(BaseModel):
    id: str
    depth: int = Field(description="1 for a direct input, 2 for an input of that input, ...")
    deleted: bool
    kind: str | None = None
    model: str | None = None


class AssetDetailsOut(LibraryAssetOut):
    lineage: list[AncestorOut] = Field(description="Every ancestor, nearest first, each once.")

    @classmethod
    def of_details(cls, details: AssetDetails, url: str) -> AssetDetailsOut:
        return cls(
            **LibraryAssetOut.of(details.asset, url).model_dump(),
            lineage=[
                AncestorOut(
                    id=step.asset_id,
                    depth=step.depth,
                    deleted=step.asset is None,
                    kind=None if step.asset is None else step.asset.kind.value,
                    model=None if step.asset is None else step.asset.model_id,
                )
                for step in details.lineage
            ],
        )


class RelabelIn(BaseModel):
    """Labels to add or remove, and the favourite flag to set (left as it is when null)."""

    model_config = ConfigDict(extra="forbid")
    add_tags: list[str] = Field(default_factory=list, max_length=MAX_LABELS)
    remove_tags: list[str] = Field(default_factory=list, max_length=MAX_LABELS)
    add_collections: list[str] = Field(default_factory=list, max_length=MAX_LABELS)
    remove_collections: list[str] = Field(default_factory=list, max_length=MAX_LABELS)
    favourite: bool | None = None

    def to_relabel(self) -> Relabel:
        return Relabel(
            add_tags=frozenset(self.add_tags),
            remove_tags=frozenset(self.remove_tags),
            add_collections=frozenset(self.add_collections),
            remove_collections=frozenset(self.remove_collections),
            favourite=self.favourite,
        )
