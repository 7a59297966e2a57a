"""`INSERT … ON CONFLICT` in the dialect at hand, with statements built once per dialect."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

T = TypeVar("T")

Insert = Callable[[Table], Any]
"""A dialect's `insert()`: the only ones that know `on_conflict_do_…`."""

INSERTS: Mapping[str, Insert] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def per_dialect(build: Callable[[Insert], T]) -> dict[str, T]:
    """`build` run once with each dialect's `insert`; pick by `connection.dialect.name`."""
    return {name: build(insert) for name, insert in INSERTS.items()}


def insert_missing(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert the rows that do not exist yet; leave existing ones untouched."""
    if rows:
        connection.execute(_insert_missing(connection.dialect.name, table), list(rows))


@cache
def _insert_missing(dialect: str, table: Table) -> Any:
    return INSERTS[dialect](table).on_conflict_do_nothing()
