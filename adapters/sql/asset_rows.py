"""Writing an asset's rows: the asset, its labels and lineage, and its owner's running totals.

The library and the unit of work both add assets through `add_asset`, in the caller's
transaction. A new asset is one `INSERT … ON CONFLICT DO NOTHING` (SQLite's triggers index its
words) and one move of the owner's totals; replacing an asset (a retried save) also replaces
its labels and lineage and moves the totals by the difference in size.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Connection

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.driver_statement import DriverStatement
from imagestudio.adapters.sql.upsert import Insert, insert_missing, per_dialect
from imagestudio.domain.asset import Asset
from imagestudio.domain.asset_query import words

_ATTEMPTS = 3
"""An id removed between our insert and our read is inserted again; more is a bug."""

_c, _o = t.assets.c, t.asset_owners.c
_COLUMNS = [column.name for column in t.assets.columns]
_ADD = DriverStatement(
    per_dialect(
        lambda insert: (
            insert(t.assets)
            .values({name: bindparam(name) for name in _COLUMNS})
            .on_conflict_do_nothing()
            .returning(_c.id)
        )
    )
)
_PREVIOUS = select(_c.owner, _c.size_bytes).where(_c.id == bindparam("asset_id")).with_for_update()
_REPLACE = (
    update(t.assets)
    .where(_c.id == bindparam("asset_id"))
    .values({name: bindparam(name) for name in _COLUMNS if name != "id"})
)
_LABELLED = (t.asset_tags, t.asset_collections, t.asset_lineage)
_FORGET_LABELS = [
    delete(table).where(table.c.asset_id == bindparam("asset_id")) for table in _LABELLED
]
_LINEAGE = t.asset_lineage.insert()


def _count(insert: Insert) -> Any:
    row = insert(t.asset_owners).values(
        owner=bindparam("owner"), bytes=bindparam("bytes"), assets=bindparam("assets")
    )
    return row.on_conflict_do_update(
        index_elements=[_o.owner],
        set_={"bytes": _o.bytes + row.excluded.bytes, "assets": _o.assets + row.excluded.assets},
    )


_COUNT = DriverStatement(per_dialect(_count))


def asset_row(asset: Asset) -> dict[str, Any]:
    """The `assets` columns of this asset."""
    return {
        "id": asset.id,
        "owner": asset.owner,
        "operation_id": asset.operation_id,
        "model_id": asset.model_id,
        "kind": asset.kind.value,
        "media_type": asset.media_type.value,
        "size_bytes": asset.size_bytes,
        "width": asset.width,
        "height": asset.height,
        "duration_seconds": asset.duration_seconds,
        "vertex_count": asset.vertex_count,
        "prompt": asset.prompt,
        "prompt_words": " ".join(words(asset.prompt)),
        "cost": asset.cost,
        "created_at": asset.created_at,
        "favourite": asset.favourite,
    }


def add_asset(connection: Connection, asset: Asset) -> None:
    """Add the asset, or replace the owner's asset of that id; another owner's is refused."""
    row = asset_row(asset)
    for _ in range(_ATTEMPTS):
        if _ADD.run(connection, row).first() is not None:
            count_owner(connection, asset.owner, asset.size_bytes, 1)
            break
        previous = connection.execute(_PREVIOUS, {"asset_id": asset.id}).first()
        if previous is None:
            continue  # removed since our insert: insert it again
        # Ids are unique across owners; never let one owner's add take another's asset.
        if previous.owner != asset.owner:
            raise ValueError(f"asset {asset.id} belongs to another owner")
        changes = {name: value for name, value in row.items() if name != "id"}
        connection.execute(_REPLACE, {**changes, "asset_id": asset.id})
        for statement in _FORGET_LABELS:
            connection.execute(statement, {"asset_id": asset.id})
        count_owner(connection, asset.owner, asset.size_bytes - previous.size_bytes, 0)
        break
    else:
        raise RuntimeError(f"asset {asset.id} kept changing under an add")
    insert_labels(connection, asset.id, asset.tags, asset.collections)
    lineage = [
        {"asset_id": asset.id, "position": position, "parent_id": parent}
        for position, parent in enumerate(asset.derived_from)
    ]
    if lineage:
        connection.execute(_LINEAGE, lineage)


def count_owner(connection: Connection, owner: str, size: int, assets: int) -> None:
    """Move the owner's running totals, in the caller's transaction."""
    _COUNT.run(connection, {"owner": owner, "bytes": size, "assets": assets})


def insert_labels(
    connection: Connection, asset_id: str, tags: Iterable[str], collections: Iterable[str]
) -> None:
    """Give the asset these tags and collections (those it has already stay)."""
    for table, name, labels in (
        (t.asset_tags, "tag", tags),
        (t.asset_collections, "collection", collections),
    ):
        insert_missing(connection, table, [{"asset_id": asset_id, name: x} for x in sorted(labels)])
