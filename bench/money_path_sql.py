"""What the databases receive: every statement SQLAlchemy sends, with the transaction ends the
drivers send themselves, and two checks below SQLAlchemy (sqlite3's trace, PostgreSQL's log).

`StatementLog` listens on the `Engine` and `Pool` classes, so it sees every engine in the
process, whoever built it and whenever. A statement is what reaches a cursor
(`before_cursor_execute`: SQLite's `BEGIN IMMEDIATE` comes this way), plus what the drivers
send on their own, as each of them does it:
- BEGIN after SQLAlchemy's `begin` event: psycopg sends it before the next statement; sqlite3
  before the next INSERT, UPDATE or DELETE, and never on a connection whose `isolation_level`
  is None (the engine then sends its own BEGIN through a cursor);
- COMMIT and ROLLBACK on the `commit` and `rollback` events, when a BEGIN went out before
  (neither driver sends one for a transaction it never opened);
- the pool's pre-ping on checkout, outside any transaction (`;` on PostgreSQL).
PRAGMAs are left out. A pool's rollback on return with no transaction open sends nothing (the
drivers see they are idle): counted apart.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.pool import Pool

_WRITE = re.compile(r"^\s*(?:WITH\b.*?\)\s*)?(INSERT|UPDATE|DELETE|REPLACE|UPSERT)\b", re.I | re.S)
_PRAGMA = re.compile(r"^\s*PRAGMA\b", re.I)
_BEGIN = re.compile(r"^\s*BEGIN\b", re.I)
_END = re.compile(r"^\s*(COMMIT|ROLLBACK|END)\s*;?\s*$", re.I)
_LOCKING_BEGIN = re.compile(r"^\s*BEGIN\s+(IMMEDIATE|EXCLUSIVE)\b", re.I)


@dataclass(frozen=True)
class Sent:
    connection: int  # a serial number per DBAPI connection
    sql: str
    parameters: Any = None
    many: bool = False
    origin: str = "cursor"  # "cursor", "driver" (BEGIN/COMMIT/ROLLBACK it sends), "ping"


def is_write(sql: str) -> bool:
    return bool(_WRITE.match(sql))


def short(sql: str, width: int = 60) -> str:
    return " ".join(sql.split())[:width].rstrip()


class StatementLog:
    """`with StatementLog() as log:` records into `log.sent` whatever any engine sends."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.pragmas = 0
        self.checkouts = 0
        self.idle_rollbacks = 0  # a pool's rollback on return with no transaction open
        self._serials: dict[int, int] = {}
        self._began: set[int] = set()  # SQLAlchemy began a transaction on these connections
        self._open: set[int] = set()  # a BEGIN went out on these, no COMMIT or ROLLBACK yet
        self._ping: Any = None

    def clear(self) -> None:
        self.sent.clear()
        self.pragmas = self.checkouts = self.idle_rollbacks = 0

    def __enter__(self) -> StatementLog:
        for name, listener in self._engine_listeners():
            event.listen(Engine, name, listener)
        event.listen(Pool, "checkout", self._checkout)
        event.listen(Pool, "reset", self._reset)
        self._ping = getattr(DefaultDialect, "_do_ping_w_event", None)
        if self._ping is not None:
            original = self._ping

            def pinged(dialect: DefaultDialect, dbapi_connection: Any) -> bool:
                sql = getattr(dialect, "_dialect_specific_select_one", "SELECT 1")
                self._add(Sent(self._serial(dbapi_connection), sql, origin="ping"))
                return bool(original(dialect, dbapi_connection))

            setattr(DefaultDialect, "_do_ping_w_event", pinged)  # noqa: B010
        return self

    def __exit__(self, *_: object) -> None:
        for name, listener in self._engine_listeners():
            event.remove(Engine, name, listener)
        event.remove(Pool, "checkout", self._checkout)
        event.remove(Pool, "reset", self._reset)
        if self._ping is not None:
            setattr(DefaultDialect, "_do_ping_w_event", self._ping)  # noqa: B010

    def _engine_listeners(self) -> list[tuple[str, Callable[..., None]]]:
        return [
            ("before_cursor_execute", self._statement),
            ("begin", self._begin),
            ("commit", self._commit),
            ("rollback", self._rollback),
        ]

    def _serial(self, dbapi_connection: Any) -> int:
        return self._serials.setdefault(id(dbapi_connection), len(self._serials) + 1)

    def _of(self, connection: Connection) -> int:
        return self._serial(connection.connection.dbapi_connection)

    def _add(self, sent: Sent) -> None:
        self.sent.append(sent)
        if _BEGIN.match(sent.sql):
            self._open.add(sent.connection)
        elif _END.match(sent.sql):
            self._open.discard(sent.connection)

    def _statement(
        self, connection: Connection, _cursor: Any, sql: str, parameters: Any, _c: Any, many: bool
    ) -> None:
        if _PRAGMA.match(sql):
            self.pragmas += 1
            return
        serial = self._of(connection)
        opening = serial in self._began and serial not in self._open and not _BEGIN.match(sql)
        if opening and _driver_begins_before(connection, sql):
            self._add(Sent(serial, "BEGIN", origin="driver"))
        self._add(Sent(serial, sql, parameters, many))

    def _begin(self, connection: Connection) -> None:
        self._began.add(self._of(connection))

    def _end(self, connection: Connection, sql: str) -> None:
        serial = self._of(connection)
        self._began.discard(serial)
        if serial in self._open:
            self._add(Sent(serial, sql, origin="driver"))

    def _commit(self, connection: Connection) -> None:
        self._end(connection, "COMMIT")

    def _rollback(self, connection: Connection) -> None:
        self._end(connection, "ROLLBACK")

    def _checkout(self, *_: Any) -> None:
        self.checkouts += 1

    def _reset(self, _dbapi_connection: Any, _record: Any, state: Any) -> None:
        if not state.transaction_was_reset:
            self.idle_rollbacks += 1


def _driver_begins_before(connection: Connection, sql: str) -> bool:
    if connection.dialect.name != "sqlite":
        return True  # psycopg: before any statement outside a transaction
    if getattr(connection.connection.dbapi_connection, "isolation_level", None) is None:
        return False
    return is_write(sql)


@dataclass
class Transaction:
    begin: str
    statements: list[str] = field(default_factory=list)
    end: str = ""

    @property
    def writes(self) -> bool:
        return any(is_write(sql) for sql in self.statements)

    @property
    def locks_for_writing(self) -> bool:
        return bool(_LOCKING_BEGIN.match(self.begin))


@dataclass(frozen=True)
class Census:
    """One operation's statements in order, and the transactions they make up."""

    statements: list[tuple[int, str]]  # (transaction number or 0 outside one, sql)
    transactions: list[Transaction]

    def count(self, pattern: str) -> int:
        return sum(1 for _, sql in self.statements if re.match(pattern, sql.strip(), re.I))


def census(sent: Sequence[tuple[int, str]]) -> Census:
    """`sent`: (connection, sql) in order, BEGIN … COMMIT/ROLLBACK delimiting transactions."""
    open_on: dict[int, int] = {}
    transactions: list[Transaction] = []
    statements: list[tuple[int, str]] = []
    for connection, sql in sent:
        if _BEGIN.match(sql) and connection not in open_on:
            transactions.append(Transaction(begin=sql))
            open_on[connection] = len(transactions)
        number = open_on.get(connection, 0)
        statements.append((number, sql))
        if number and _END.match(sql):
            transactions[number - 1].end = sql
            del open_on[connection]
        elif number and not _BEGIN.match(sql):
            transactions[number - 1].statements.append(sql)
    return Census(statements, transactions)


@contextmanager
def sqlite_trace() -> Iterator[list[tuple[int, str]]]:
    """Every statement SQLite runs on connections opened meanwhile (sqlite3's trace callback):
    an executemany shows once per row, and what SQLite runs inside itself starts with `--`."""
    seen: list[tuple[int, str]] = []
    connect = sqlite3.connect
    serials = iter(range(1, 1_000_000))

    def traced(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection: sqlite3.Connection = connect(*args, **kwargs)
        serial = next(serials)
        connection.set_trace_callback(
            lambda sql: None if _PRAGMA.match(sql) else seen.append((serial, sql))
        )
        return connection

    # aiosqlite looks up `sqlite3.connect` anew; SQLAlchemy's pysqlite, `sqlite3.dbapi2.connect`.
    modules = (sqlite3, sqlite3.dbapi2)
    for module in modules:
        setattr(module, "connect", traced)  # noqa: B010
    try:
        yield seen
    finally:
        for module in modules:
            setattr(module, "connect", connect)  # noqa: B010


_LOGGED = re.compile(r"\[(\d+)\].*?LOG:  (?:statement|execute [^:]*): (.*)")


def server_log_between(
    log: Path, start: str, stop: str, timeout: float = 10
) -> list[tuple[int, str]]:
    """(backend pid, statement) that PostgreSQL logged (`log_statement = all`) between the
    statements `SELECT '<start>'` and `SELECT '<stop>'`, which are left out."""
    deadline = time.monotonic() + timeout
    while stop not in (text := log.read_text(errors="replace")) and time.monotonic() < deadline:
        time.sleep(0.05)
    inside = text.partition(f"'{start}'")[2].partition(f"'{stop}'")[0]
    found = []
    for line in inside.splitlines()[1:-1]:  # the markers' own lines are cut at both ends
        match = _LOGGED.search(line)
        if match:
            found.append((int(match[1]), match[2]))
    return found
