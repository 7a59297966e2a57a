"""Operations on SQL: the columns the database queries, the rest as a JSON body.

`save` is one `INSERT … ON CONFLICT (id) DO UPDATE` on both databases, so two processes saving
the same operation never collide. It never writes the lease columns: those belong to whoever
works on the operation and to the sweeper, and replacing the operation's state keeps them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.operation_codec import operation_from_row, operation_row
from imagestudio.domain.operation import ImageOperation


class SqlOperationStore:
    """The `OperationStore` port on the `operations` table."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def save(self, operation: ImageOperation) -> None:
        row = operation_row(operation)
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(t.operations).values(**row)
        upsert = insert.on_conflict_do_update(
            index_elements=[t.operations.c.id],
            set_={name: insert.excluded[name] for name in row if name != "id"},
        )
        async with self._engine.begin() as connection:
            await connection.execute(upsert)

    async def get(self, operation_id: str) -> ImageOperation | None:
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(t.operations).where(t.operations.c.id == operation_id)
                )
            ).first()
            return None if row is None else operation_from_row(row._mapping)
