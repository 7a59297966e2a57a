"""API keys on SQL: the `api_keys` table, hashes unique, rotation in one transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.engine import reading
from imagestudio.adapters.sql.record_rows import from_row, row_values
from imagestudio.adapters.sql.stored_text import unstorable
from imagestudio.domain.api_key import ApiKey

c = t.api_keys.c


class SqlApiKeys:
    """The `ApiKeys` port on the `api_keys` table."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._reader = reading(engine)

    async def add(self, key: ApiKey) -> None:
        async with self._engine.begin() as connection:
            await _insert(connection, key)

    async def replace(self, key: ApiKey) -> tuple[ApiKey, ...]:
        async with self._engine.begin() as connection:
            live = await connection.execute(
                select(t.api_keys)
                .where(c.user_id == key.user_id, c.revoked_at.is_(None))
                .order_by(c.created_at, c.id)
                .with_for_update()
            )
            revoked = tuple(_key(row, revoked_at=key.created_at) for row in live)
            if revoked:
                await connection.execute(
                    update(t.api_keys)
                    .where(c.id.in_([old.id for old in revoked]))
                    .values(revoked_at=key.created_at)
                )
            await _insert(connection, key)
            return revoked

    async def revoke(self, key_id: str, at: datetime) -> ApiKey | None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(t.api_keys)
                .where(c.id == key_id, c.revoked_at.is_(None))
                .values(revoked_at=at)
            )
            row = (await connection.execute(select(t.api_keys).where(c.id == key_id))).first()
            return None if row is None else _key(row)

    async def find(self, reference: str) -> tuple[ApiKey, ...]:
        if unstorable(reference):
            return ()
        return await self._select(
            or_(c.id == reference, c.prefix == reference, c.key_hash == reference)
        )

    async def keys_of(self, user_id: str) -> tuple[ApiKey, ...]:
        if unstorable(user_id):
            return ()
        return await self._select(c.user_id == user_id)

    async def user_for_key(self, key_hash: str) -> str | None:
        async with self._reader.connect() as connection:
            user_id: str | None = await connection.scalar(
                select(c.user_id).where(c.key_hash == key_hash, c.revoked_at.is_(None))
            )
            return user_id

    async def _select(self, condition: Any) -> tuple[ApiKey, ...]:
        async with self._reader.connect() as connection:
            rows = await connection.execute(
                select(t.api_keys).where(condition).order_by(c.created_at, c.id)
            )
            return tuple(_key(row) for row in rows)


async def _insert(connection: AsyncConnection, key: ApiKey) -> None:
    try:
        await connection.execute(t.api_keys.insert().values(row_values(key)))
    except IntegrityError as error:
        raise ValueError(
            f"API key {key.id} (or its hash) exists already, or no such user"
        ) from error


def _key(row: Row[Any], revoked_at: datetime | None = None) -> ApiKey:
    return from_row(ApiKey, row, revoked_at=row.revoked_at or revoked_at)
