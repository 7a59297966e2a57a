"""The asset library on SQL: one row per asset, its labels and lineage in their own tables;
which rows a query chooses is `asset_filters.py`, reading them back whole `asset_loading.py`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    delete,
    literal,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.asset_filters import FTS_ROWS, conditions
from imagestudio.adapters.sql.asset_loading import chunks, label_column, load_assets
from imagestudio.adapters.sql.asset_rows import add_asset, count_owner, insert_labels
from imagestudio.adapters.sql.column_types import UtcDateTime
from imagestudio.adapters.sql.engine import reading
from imagestudio.adapters.sql.stored_text import unstorable
from imagestudio.domain.asset import Asset, AssetCursor
from imagestudio.domain.asset_query import AssetQuery, Relabel


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
            found = await load_assets(connection, _owned(owner, asset_id))
        return found[0] if found else None

    async def find(
        self, owner: str, query: AssetQuery, *, after: AssetCursor | None, limit: int
    ) -> tuple[Asset, ...]:
        if limit <= 0 or unstorable(owner):
            return ()
        c = t.assets.c
        chosen = select(t.assets).where(c.owner == owner, *conditions(query, sqlite=self._sqlite))
        if after is not None:
            chosen = chosen.where(
                tuple_(c.created_at, c.id)
                < tuple_(literal(after.created_at, UtcDateTime()), literal(after.asset_id))
            )
        chosen = chosen.order_by(c.created_at.desc(), c.id.desc()).limit(limit)
        async with self._reading() as connection:
            return await load_assets(connection, chosen)

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
            found = await load_assets(connection, _owned(owner, asset_id))
        return found[0]

    async def remove(self, owner: str, asset_id: str) -> Asset | None:
        async with self._engine.begin() as connection:
            found = await load_assets(connection, _owned(owner, asset_id).with_for_update())
            if not found:
                return None
            # Children first, so nothing depends on SQLite's foreign_keys pragma; the full-text
            # row's trigger drops its indexed words.
            for table in (t.asset_tags, t.asset_collections, t.asset_lineage):
                await connection.execute(delete(table).where(table.c.asset_id == asset_id))
            if self._sqlite:
                await connection.execute(
                    text(f"DELETE FROM {FTS_ROWS} WHERE asset_id = :id"), {"id": asset_id}
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
            for chunk in chunks(wanted):
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


def _is_owned(owner: str, asset_id: str) -> tuple[ColumnElement[bool], ...]:
    return (t.assets.c.id == asset_id, t.assets.c.owner == owner)


def _owned(owner: str, asset_id: str) -> Select[Any]:
    return select(t.assets).where(*_is_owned(owner, asset_id))


async def _delete_labels(
    connection: AsyncConnection, table: Table, asset_id: str, labels: Collection[str]
) -> None:
    if labels:
        await connection.execute(
            delete(table).where(
                table.c.asset_id == asset_id, table.c[label_column(table)].in_(sorted(labels))
            )
        )
