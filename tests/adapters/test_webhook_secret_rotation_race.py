"""A rotation answers the secret the database keeps, however it interleaves with the first use
of the user's secret in another process (a delivery signed, the secret shown): on PostgreSQL
the rotation's UPDATE found no row, the other process inserted its seed, and the rotation's own
insert gave way to it, so the user was shown a secret no delivery would ever be signed with.
(SQLite takes the write lock when the rotation begins: the other insert waits for it.)"""

from __future__ import annotations

import base64
import contextlib
from typing import Any

import psycopg
import pytest
from sqlalchemy import event
from support.unit_world import NOW

from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql.engine import create_engine
from imagestudio.adapters.sql.webhook_secrets import SqlSecretSeeds
from imagestudio.domain.webhook import KEPT_FOR

FIRST_USE = base64.b64encode(b"f" * 32).decode()


@pytest.mark.postgres
async def test_a_rotation_beside_a_first_use_answers_the_secret_kept(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    await schema.upgrade(engine)
    seeds = SqlSecretSeeds(engine)
    done: list[bool] = []

    def first_use_elsewhere(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        # Right after the rotation's first statement, before the rest of its transaction.
        if done or "webhook_secrets" not in statement or statement.lstrip().startswith("SELECT"):
            return
        done.append(True)
        with psycopg.connect(postgres_url, autocommit=True) as other:
            # Where the rotation has written its row, the first use waits for it to commit
            # (and then keeps it): it cannot wait here, on the very thread that would commit.
            other.execute("SET lock_timeout = '300ms'")
            with contextlib.suppress(psycopg.errors.LockNotAvailable):
                other.execute(
                    "INSERT INTO webhook_secrets (user_id, seed, updated_at) "
                    "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                    ("ada", FIRST_USE, NOW - KEPT_FOR),
                )

    event.listen(engine.sync_engine, "after_cursor_execute", first_use_elsewhere)
    try:
        await seeds.rotate("ada", b"r" * 32, NOW)
        kept = await seeds.seed("ada", b"n" * 32, NOW)
    finally:
        await engine.dispose()
    assert done and kept == b"r" * 32
