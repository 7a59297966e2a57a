"""The asset library on SQL: one row per asset, its labels and lineage in their own tables.

Text search asks the full-text index for candidates (FTS5 on SQLite, a GIN tsvector index on
PostgreSQL, both over `prompt_words`, the prompt's `words`), then keeps only the assets whose
words include each query word exactly, so every database answers as `AssetQuery.matches` does,
even where FTS5 would fold a word differently or a word is too long for a tsvector.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Collection, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    cast,
    delete,
    exists,
    func,
    literal,
    literal_column,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.asset_rows import add_asset, count_owner, insert_labels
from imagestudio.adapters.sql.column_types import UtcDateTime
from imagestudio.adapters.sql.engine import reading
from imagestudio.domain.asset import Asset, AssetCursor
from imagestudio.domain.asset_query import AssetQuery, Relabel, words
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_kind import OperationKind

CHUNK = 500
"""Ids per `IN (…)`: far below SQLite's limit on bound variables."""

POSTGRESQL_LONGEST_WORD = 2047
"""Bytes: the longest lexeme a PostgreSQL tsvector or tsquery holds."""

_FTS_ROWS = f"{t.FULL_TEXT}_rows"


class SqlAssetLibrary:
    """The `AssetLibrary` port on the `assets` table and its label and lineage tables."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._reader = reading(engine)
        self._sqlite = engine.dialect.name == "sqlite"

    async def add(self, asset: Asset) -> None:
        async with self._engine.begin() as connection:
            await connection.run_sync(add_asset, asset)

    async def get(self, owner: str, asset_id: str) -> Asset | None:
        async with self._reading() as connection:
            found = await _load(connection, _owned(owner, asset_id))
        return found[0] if found else None

    async def find(
        self, owner: str, query: AssetQuery, *, after: AssetCursor | None, limit: int
    ) -> tuple[Asset, ...]:
        if limit <= 0:
            return ()
        c = t.assets.c
        chosen = select(t.assets).where(c.owner == owner, *self._conditions(query))
        if after is not None:
            chosen = chosen.where(
                tuple_(c.created_at, c.id)
                < tuple_(literal(after.created_at, UtcDateTime()), literal(after.asset_id))
            )
        chosen = chosen.order_by(c.created_at.desc(), c.id.desc()).limit(limit)
        async with self._reading() as connection:
            return await _load(connection, chosen)

    async def relabel(self, owner: str, asset_id: str, change: Relabel) -> Asset | None:
        async with self._engine.begin() as connection:
            # Locks the row on PostgreSQL (SQLite's BEGIN IMMEDIATE already holds the database):
            # concurrent changes to one asset queue, and each reads the one before it.
            locked = await connection.scalar(
                select(t.assets.c.id).where(*_is_owned(owner, asset_id)).with_for_update()
            )
            if locked is None:
                return None
            await _delete_labels(
                connection, t.asset_tags, asset_id, change.remove_tags - change.add_tags
            )
            await _delete_labels(
                connection,
                t.asset_collections,
                asset_id,
                change.remove_collections - change.add_collections,
            )
            await connection.run_sync(
                insert_labels, asset_id, change.add_tags, change.add_collections
            )
            if change.favourite is not None:
                await connection.execute(
                    update(t.assets)
                    .where(t.assets.c.id == asset_id)
                    .values(favourite=change.favourite)
                )
            found = await _load(connection, _owned(owner, asset_id))
        return found[0]

    async def remove(self, owner: str, asset_id: str) -> Asset | None:
        async with self._engine.begin() as connection:
            found = await _load(connection, _owned(owner, asset_id).with_for_update())
            if not found:
                return None
            # Children first, so nothing depends on SQLite's foreign_keys pragma; the full-text
            # row's trigger drops its indexed words.
            for table in (t.asset_tags, t.asset_collections, t.asset_lineage):
                await connection.execute(delete(table).where(table.c.asset_id == asset_id))
            if self._sqlite:
                await connection.execute(
                    text(f"DELETE FROM {_FTS_ROWS} WHERE asset_id = :id"), {"id": asset_id}
                )
            await connection.execute(delete(t.assets).where(t.assets.c.id == asset_id))
            await self._count(connection, owner, -found[0].size_bytes, -1)
        return found[0]

    async def bytes_used(self, owner: str) -> int:
        o = t.asset_owners.c
        async with self._reader.connect() as connection:
            total = await connection.scalar(select(o.bytes).where(o.owner == owner))
        return int(total or 0)

    async def owners(self) -> tuple[str, ...]:
        o = t.asset_owners.c
        async with self._reader.connect() as connection:
            found = await connection.scalars(select(o.owner).where(o.assets > 0))
            # Sorted here, not by the database's collation, so every library lists alike.
            return tuple(sorted(found))

    async def known(self, owner: str, asset_ids: Collection[str]) -> frozenset[str]:
        c = t.assets.c
        wanted = sorted(set(asset_ids))
        found: set[str] = set()
        async with self._reader.connect() as connection:
            for chunk in _chunks(wanted):
                found.update(
                    await connection.scalars(select(c.id).where(c.owner == owner, c.id.in_(chunk)))
                )
        return frozenset(found)

    async def _count(self, connection: AsyncConnection, owner: str, size: int, assets: int) -> None:
        """Move the owner's running totals, in the caller's transaction."""
        await connection.run_sync(count_owner, owner, size, assets)

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[AsyncConnection]:
        """A connection whose reads see one snapshot, so an asset and its labels agree.

        SQLite's deferred read transaction (WAL mode) is a snapshot already.
        """
        async with self._reader.connect() as connection:
            if not self._sqlite:
                await connection.execution_options(isolation_level="REPEATABLE READ")
            yield connection

    def _conditions(self, query: AssetQuery) -> list[ColumnElement[bool]]:
        c = t.assets.c
        conditions: list[ColumnElement[bool]] = []
        if query.kind is not None:
            conditions.append(c.kind == query.kind.value)
        if query.model_id is not None:
            conditions.append(c.model_id == query.model_id)
        if query.tag is not None:
            conditions.append(_has_label(t.asset_tags, query.tag))
        if query.collection is not None:
            conditions.append(_has_label(t.asset_collections, query.collection))
        if query.favourite is not None:
            conditions.append(c.favourite == query.favourite)
        if query.created_from is not None:
            conditions.append(c.created_at >= query.created_from)
        if query.created_before is not None:
            conditions.append(c.created_at < query.created_before)
        if query.derived_from is not None:
            lineage = t.asset_lineage.c
            conditions.append(
                exists().where(lineage.asset_id == c.id, lineage.parent_id == query.derived_from)
            )
        wanted = sorted(set(words(query.text or "")))
        if wanted:
            conditions.append(self._indexed(wanted))
            # The index narrows; this decides, word for word as `matches` does.
            spaced = " " + c.prompt_words + " "
            position = func.instr if self._sqlite else func.strpos
            conditions.extend(position(spaced, " " + word + " ") > 0 for word in wanted)
        return conditions

    def _indexed(self, wanted: Sequence[str]) -> ColumnElement[bool]:
        c = t.assets.c
        if self._sqlite:
            # Each word a quoted phrase: user text never reaches FTS5 as query syntax.
            phrases = " ".join('"' + word.replace('"', '""') + '"' for word in wanted)
            return c.id.in_(
                text(
                    f"SELECT asset_id FROM {_FTS_ROWS} WHERE rowid IN "
                    f"(SELECT rowid FROM {t.FULL_TEXT} WHERE {t.FULL_TEXT} MATCH :phrases)"
                )
                .bindparams(phrases=phrases)
                .columns(asset_id=t.assets.c.id.type)
            )
        lexemes = [w for w in wanted if len(w.encode()) <= POSTGRESQL_LONGEST_WORD]
        if not lexemes:
            return literal(True)  # longer words: only the exact check can tell
        # The index's expression, its separator a literal (a parameter would not match it).
        vector = func.array_to_tsvector(func.string_to_array(c.prompt_words, literal_column("' '")))
        # Quoted lexemes go into the tsquery as they are, never through a parser.
        quoted = " & ".join("'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in lexemes)
        return vector.op("@@")(cast(literal(quoted), TSQUERY))


def _is_owned(owner: str, asset_id: str) -> tuple[ColumnElement[bool], ...]:
    return (t.assets.c.id == asset_id, t.assets.c.owner == owner)


def _owned(owner: str, asset_id: str) -> Select[Any]:
    return select(t.assets).where(*_is_owned(owner, asset_id))


def _has_label(table: Table, label: str) -> ColumnElement[bool]:
    name = table.c[_label_column(table)]
    return exists().where(table.c.asset_id == t.assets.c.id, name == label)


def _label_column(table: Table) -> str:
    return "tag" if table is t.asset_tags else "collection"


async def _delete_labels(
    connection: AsyncConnection, table: Table, asset_id: str, labels: Collection[str]
) -> None:
    if labels:
        await connection.execute(
            delete(table).where(
                table.c.asset_id == asset_id, table.c[_label_column(table)].in_(sorted(labels))
            )
        )


async def _load(connection: AsyncConnection, chosen: Select[Any]) -> tuple[Asset, ...]:
    """The assets `chosen` selects, in its order, with their labels and lineage: a constant
    number of queries per page, whatever its size."""
    rows = (await connection.execute(chosen)).all()
    ids = [row.id for row in rows]
    tags = await _labels(connection, t.asset_tags, ids)
    collections = await _labels(connection, t.asset_collections, ids)
    lineage: dict[str, list[str]] = defaultdict(list)
    c = t.asset_lineage.c
    for chunk in _chunks(ids):
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
    label = table.c[_label_column(table)]
    for chunk in _chunks(ids):
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


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    return (items[start : start + CHUNK] for start in range(0, len(items), CHUNK))
