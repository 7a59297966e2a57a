"""What a listing of a user's assets asks for, and the one meaning of each filter."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from imagestudio.domain.asset import Asset
from imagestudio.domain.operation_kind import OperationKind

_WORD = re.compile(r"[^\W_]+")
MAX_LABEL_CHARS = 64
MAX_LABELS = 50


def words(text: str) -> tuple[str, ...]:
    """The words full-text search sees: runs of letters and digits, case-folded.

    Libraries index these words themselves (never a database's own parser, which depends on
    its locale), so every asset library answers a search alike.
    """
    return tuple(_WORD.findall(text.casefold()))


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetQuery:
    """Filters on one owner's assets; every filter given must hold (None means any)."""

    kind: OperationKind | None = None
    model_id: str | None = None
    tag: str | None = None
    collection: str | None = None
    favourite: bool | None = None
    created_from: datetime | None = None
    """Created at or after this time."""
    created_before: datetime | None = None
    """Created strictly before this time."""
    text: str | None = None
    """Every word of it appears as a whole word of the prompt (see `words`)."""
    derived_from: str | None = None
    """Made from this asset (one of its direct inputs): the asset's children in its lineage."""

    def matches(self, asset: Asset) -> bool:
        """The reference meaning of the query, which every library must agree with."""
        return (
            (self.kind is None or asset.kind is self.kind)
            and (self.model_id is None or asset.model_id == self.model_id)
            and (self.tag is None or self.tag in asset.tags)
            and (self.collection is None or self.collection in asset.collections)
            and (self.favourite is None or asset.favourite is self.favourite)
            and (self.created_from is None or asset.created_at >= self.created_from)
            and (self.created_before is None or asset.created_at < self.created_before)
            and (self.text is None or set(words(self.text)) <= set(words(asset.prompt)))
            and (self.derived_from is None or self.derived_from in asset.derived_from)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Relabel:
    """A change to an asset's labels: tags and collections added or removed, favourite set."""

    add_tags: frozenset[str] = frozenset()
    remove_tags: frozenset[str] = frozenset()
    add_collections: frozenset[str] = frozenset()
    remove_collections: frozenset[str] = frozenset()
    favourite: bool | None = None
    """True or False sets the flag; None leaves it."""

    def __post_init__(self) -> None:
        # A caller's list or tuple of labels is a set of them; one string is not (it would be
        # a set of its letters), and is refused where it is written.
        for name in ("add_tags", "remove_tags", "add_collections", "remove_collections"):
            labels = getattr(self, name)
            if isinstance(labels, str):
                raise TypeError(f"{name}: give a set of labels, not one string")
            if not isinstance(labels, frozenset):
                object.__setattr__(self, name, frozenset(labels))

    def apply(self, asset: Asset) -> Asset:
        """The asset with this change made (what a library stores)."""
        return replace(
            asset,
            tags=(asset.tags - self.remove_tags) | self.add_tags,
            collections=(asset.collections - self.remove_collections) | self.add_collections,
            favourite=asset.favourite if self.favourite is None else self.favourite,
        )


def label_problem(label: str) -> str | None:
    """Why `label` cannot be a tag or collection name, or None when it can."""
    if not label.strip():
        return "must not be empty"
    if label != label.strip():
        return "must not start or end with spaces"
    if len(label) > MAX_LABEL_CHARS:
        return f"must be at most {MAX_LABEL_CHARS} characters"
    if any(not char.isprintable() for char in label):
        return "must not contain control characters"
    return None
