"""Browser sessions and sign-in links on SQL: shared by every process, kept across restarts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.engine import reading
from imagestudio.adapters.sql.record_rows import from_row, row_values
from imagestudio.domain.browser_session import BrowserSession, SignInLink

s = t.browser_sessions.c
k = t.sign_in_links.c


class SqlBrowserSessions:
    """The `BrowserSessions` port on the `browser_sessions` and `sign_in_links` tables."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._reader = reading(engine)

    async def add(self, session: BrowserSession) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(t.browser_sessions.insert().values(row_values(session)))

    async def find(self, id_hash: str) -> BrowserSession | None:
        async with self._reader.connect() as connection:
            row = (
                await connection.execute(select(t.browser_sessions).where(s.id_hash == id_hash))
            ).first()
            return None if row is None else from_row(BrowserSession, row)

    async def end(self, id_hash: str) -> bool:
        async with self._engine.begin() as connection:
            gone = await connection.execute(delete(t.browser_sessions).where(s.id_hash == id_hash))
            return bool(gone.rowcount)

    async def add_link(self, link: SignInLink) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(t.sign_in_links.insert().values(row_values(link)))

    async def use_link(self, token_hash: str, at: datetime) -> SignInLink | None:
        async with self._engine.begin() as connection:
            # One conditional UPDATE: of two requests with one link, only one changes the row.
            marked = await connection.execute(
                update(t.sign_in_links)
                .where(k.token_hash == token_hash, k.used_at.is_(None), k.expires_at > at)
                .values(used_at=at)
            )
            if not marked.rowcount:
                return None
            row = (
                await connection.execute(select(t.sign_in_links).where(k.token_hash == token_hash))
            ).one()
            return from_row(SignInLink, row)
