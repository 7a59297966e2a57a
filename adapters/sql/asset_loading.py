"""Assets read back whole: the rows a query chose, with their labels and lineage, in a constant
number of queries per page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    Select,
    Table,
    select,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from imagestudio.adapters.sql import tables as t
from imagestudio.domain.asset import Asset
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_kind import OperationKind

CHUNK = 500
"""Ids per `IN (…)`: far below SQLite's limit on bound variables."""


async def load_assets(connection: AsyncConnection, chosen: Select[Any]) -> tuple[Asset, ...]:
    """The assets `chosen` selects, in its order, with their labels and lineage: a constant
    number of queries per page, whatever its size."""
    rows = (await connection.execute(chosen)).all()
    ids = [row.id for row in rows]
    tags = await _labels(connection, t.asset_tags, ids)
    collections = await _labels(connection, t.asset_collections, ids)
    lineage: dict[str, list[str]] = defaultdict(list)
    c = t.asset_lineage.c
    for chunk in chunks(ids):
        parents = await connection.execute(
            select(c.asset_id, c.parent_id).where(c.asset_id.in_(chunk)).order_by(c.position)
        )
        for asset_id, parent_id in parents:
            lineage[asset_id].append(parent_id)
    return tuple(
        _asset(row, tags[row.id], collections[row.id], tuple(lineage[row.id])) for row in rows
    )


async def _labels(
    connection: AsyncConnection, table: Table, ids: Sequence[str]
) -> defaultdict[str, set[str]]:
    found: defaultdict[str, set[str]] = defaultdict(set)
    label = table.c[label_column(table)]
    for chunk in chunks(ids):
        rows = await connection.execute(
            select(table.c.asset_id, label).where(table.c.asset_id.in_(chunk))
        )
        for asset_id, name in rows:
            found[asset_id].add(name)
    return found


def _asset(
    row: Row[Any], tags: set[str], collections: set[str], derived_from: tuple[str, ...]
) -> Asset:
    return Asset(
        id=row.id,
        owner=row.owner,
        operation_id=row.operation_id,
        model_id=row.model_id,
        kind=OperationKind(row.kind),
        media_type=MediaType(row.media_type),
        size_bytes=row.size_bytes,
        created_at=row.created_at,
        width=row.width,
        height=row.height,
        duration_seconds=row.duration_seconds,
        prompt=row.prompt,
        cost=row.cost,
        vertex_count=row.vertex_count,
        derived_from=derived_from,
        tags=frozenset(tags),
        favourite=bool(row.favourite),
        collections=frozenset(collections),
    )


def label_column(table: Table) -> str:
    return "tag" if table is t.asset_tags else "collection"


def chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    return (items[start : start + CHUNK] for start in range(0, len(items), CHUNK))
