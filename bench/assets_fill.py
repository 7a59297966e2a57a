"""Filling a library with a dataset: the first assets through `add` one by one, timed, the rest
in batches of rows exactly as `add` writes them; then checked against the reference."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence

from assets_calls import Filled
from assets_data import Dataset
from assets_expected import check
from assets_settings import BATCH, ONE_BY_ONE
from bench_support import progress
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.asset_library import SqlAssetLibrary
from imagestudio.adapters.sql.asset_rows import asset_row
from imagestudio.application.ports.asset_library import AssetLibrary
from imagestudio.domain.asset import Asset


async def add_one_by_one(library: AssetLibrary, assets: Sequence[Asset]) -> float:
    began = time.perf_counter()
    for asset in assets:
        await library.add(asset)
    return len(assets) / (time.perf_counter() - began)


async def insert_rows(engine: AsyncEngine, assets: Sequence[Asset]) -> None:
    """Rows exactly as `SqlAssetLibrary.add` writes them (its own `asset_row`), in batches; on
    SQLite the schema's triggers index each row's words as it is inserted."""
    sqlite = engine.dialect.name == "sqlite"
    for start in range(0, len(assets), BATCH):
        batch = assets[start : start + BATCH]
        async with engine.begin() as connection:
            await connection.execute(t.assets.insert(), [asset_row(asset) for asset in batch])
            tags = [{"asset_id": a.id, "tag": tag} for a in batch for tag in a.tags]
            collections = [
                {"asset_id": a.id, "collection": c} for a in batch for c in a.collections
            ]
            lineage = [
                {"asset_id": a.id, "position": position, "parent_id": parent}
                for a in batch
                for position, parent in enumerate(a.derived_from)
            ]
            for table, values in (
                (t.asset_tags, tags),
                (t.asset_collections, collections),
                (t.asset_lineage, lineage),
            ):
                if values:
                    await connection.execute(table.insert(), values)
            # The owners' running totals, as add() keeps them.
            totals: dict[str, list[int]] = {}
            for a in batch:
                total = totals.setdefault(a.owner, [0, 0])
                total[0] += a.size_bytes
                total[1] += 1
            for owner, (size, count) in totals.items():
                await SqlAssetLibrary(engine)._count(connection, owner, size, count)
    if not sqlite:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("ANALYZE"))


Opener = Callable[[str], Awaitable[tuple[AssetLibrary, AsyncEngine | None]]]


async def fill(name: str, open_library: Opener, data: Dataset) -> tuple[Filled, AsyncEngine | None]:
    library, engine = await open_library(f"n{data.size}")
    first, rest = data.assets[:ONE_BY_ONE], data.assets[ONE_BY_ONE:]
    rate = await add_one_by_one(library, first)
    began = time.perf_counter()
    if engine is None:
        for asset in rest:
            await library.add(asset)
    else:
        await insert_rows(engine, rest)
    seconds = time.perf_counter() - began
    checked = 0 if engine is None else await check(library, data)  # memory is the reference
    progress(
        f"{name}: {len(data.assets):,} assets ({data.size:,} the owner's), first {len(first):,} "
        f"at {rate:,.0f}/s, the rest in {seconds:.1f} s; "
        + (f"{checked} calls agree with matches" if checked else "the reference")
    )
    return Filled(library, data, rate, seconds, checked), engine
