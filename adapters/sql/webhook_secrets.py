"""Webhook secret seeds on SQL: one per user, the first of two first uses wins."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.stored_text import unstorable
from imagestudio.adapters.sql.upsert import Insert, insert_missing, per_dialect


class SqlSecretSeeds:
    """The `SecretSeeds` port on `webhook_secrets`: the first of two first uses wins."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def seed(self, user_id: str, fresh: bytes, at: datetime) -> bytes:
        if unstorable(user_id):  # no user has that id, so no delivery is ever signed for it
            return fresh
        row = {"user_id": user_id, "seed": _text(fresh), "updated_at": at}
        async with self._engine.begin() as connection:
            await connection.run_sync(insert_missing, t.webhook_secrets, [row])
            found = await connection.scalar(
                select(t.webhook_secrets.c.seed).where(t.webhook_secrets.c.user_id == user_id)
            )
        return base64.b64decode(str(found))

    async def rotate(self, user_id: str, fresh: bytes, at: datetime) -> None:
        if unstorable(user_id):
            return
        row = {"user_id": user_id, "seed": _text(fresh), "updated_at": at}
        # One statement: an UPDATE finding no row, then an insert giving way to the seed another
        # process made meanwhile, answered the caller a secret the database did not keep.
        async with self._engine.begin() as connection:
            await connection.execute(_ROTATE[connection.dialect.name], row)


def _replacing(insert: Insert) -> Any:
    row = insert(t.webhook_secrets)
    return row.on_conflict_do_update(
        index_elements=[t.webhook_secrets.c.user_id],
        set_={"seed": row.excluded.seed, "updated_at": row.excluded.updated_at},
    )


_ROTATE = per_dialect(_replacing)


def _text(seed: bytes) -> str:
    return base64.b64encode(seed).decode()
