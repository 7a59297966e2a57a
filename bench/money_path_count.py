"""Figure 1: the SQL of one `generate` (one output, no key, the finite plan, the `local` profile
with the offline provider), on SQLite and on PostgreSQL, counted after a few warm-up ones."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import psycopg
from money_path_sql import Census, StatementLog, census, server_log_between, short, sqlite_trace
from money_path_studio import OFFLINE_MODEL, OFFLINE_PRICE, generate, open_studio


@dataclass(frozen=True)
class Counted:
    database: str
    outcome: str
    sent: list[tuple[int, str, str]]  # (connection, sql, origin) as SQLAlchemy and drivers sent
    pragmas: int
    checkouts: int
    idle_rollbacks: int
    many_rows: int  # rows of executemany calls beyond the first (each a statement below)
    below: list[tuple[int, str]]  # what SQLite ran (its trace) or PostgreSQL logged

    @cached_property
    def seen(self) -> list[tuple[int, str]]:
        """What the database ran for us: `below` without what SQLite ran inside itself."""
        return _ours(self.below)

    @cached_property
    def census(self) -> Census:
        return census(self.seen)


def count_one(
    database_url: str | None, data_dir: str, server_log: str | None, warm_up: int
) -> Counted:
    """In a child process: `database_url` None is the profile's SQLite file; a PostgreSQL URL
    needs its server's log (`log_statement = all` on the database) for the check below."""
    return asyncio.run(_count_one(database_url, Path(data_dir), server_log, warm_up))


async def _count_one(
    database_url: str | None, data_dir: Path, server_log: str | None, warm_up: int
) -> Counted:
    settings: dict[str, Any] = {
        "profile": "local",
        "data_dir": data_dir,
        "offline_price_usd": OFFLINE_PRICE,
    }
    if database_url:
        settings["database_url"] = database_url
    with ExitStack() as stack:
        traced = None if database_url else stack.enter_context(sqlite_trace())
        log = stack.enter_context(StatementLog())
        studio = await open_studio(**settings)
        try:
            for index in range(warm_up):
                outcome, _ = await generate(studio, index, OFFLINE_MODEL)
                assert outcome == "succeeded", outcome
            log.clear()
            if traced is not None:
                traced.clear()
            with _between_markers(database_url, server_log) as logged:
                outcome, _ = await generate(studio, warm_up, OFFLINE_MODEL)
            sent = [(s.connection, s.sql, s.origin) for s in log.sent]
            return Counted(
                database="PostgreSQL" if database_url else "SQLite",
                outcome=outcome,
                sent=sent,
                pragmas=log.pragmas,
                checkouts=log.checkouts,
                idle_rollbacks=log.idle_rollbacks,
                many_rows=sum(len(s.parameters) - 1 for s in log.sent if s.many),
                below=list(traced) if traced is not None else logged,
            )
        finally:
            await studio.aclose()


@contextmanager
def _between_markers(url: str | None, server_log: str | None) -> Iterator[list[tuple[int, str]]]:
    """What PostgreSQL logged between two marker statements sent around the block."""
    found: list[tuple[int, str]] = []
    if url is None or server_log is None:
        yield found
        return
    start, stop = f"money-path-start-{uuid.uuid4().hex}", f"money-path-stop-{uuid.uuid4().hex}"
    with psycopg.connect(url, autocommit=True) as marker:
        marker.execute(f"SELECT '{start}'")
        yield found
        marker.execute(f"SELECT '{stop}'")
    found.extend(server_log_between(Path(server_log), start, stop))


_HOW = (
    "Statements as the database ran them, counted below SQLAlchemy: sqlite3's trace callback "
    "(without what SQLite runs inside itself for its triggers and FTS5 index), PostgreSQL's own "
    "log (`log_statement = all`); both show an executemany once per row. PRAGMAs are left out. "
    "A write transaction holds an INSERT, UPDATE or DELETE. The pool's rows and the last row "
    "come from hooks on SQLAlchemy (the `Engine` and `Pool` classes): what reached a cursor "
    "through it, plus what the drivers send on their own (COMMIT and ROLLBACK on the "
    "`commit`/`rollback` events, psycopg's BEGIN, the pool's pre-ping on checkout)."
)


def _keyword(sql: str) -> str:
    return (sql.split() or [";"])[0].upper()


@dataclass(frozen=True)
class Reconciled:
    """What the database saw (trace, server log) against the count above."""

    inside: int  # statements SQLite ran inside itself (FTS5, triggers): `-- …` in its trace
    alone: Counter[str]  # statements only the driver sent (psycopg's DEALLOCATE ALL)
    unexplained: int


def _trigger_echoes(below: list[tuple[int, str]]) -> int:
    """sqlite3's trace shows a statement again (expanded, not as a `--` comment) each time one
    of its triggers runs a sub-program: a repeat of the very same text within one transaction."""
    echoes, seen = 0, set()
    for _, sql in below:
        if _keyword(sql) in ("BEGIN", "COMMIT", "ROLLBACK"):
            seen.clear()
        elif not sql.lstrip().startswith("--"):
            echoes += sql in seen
            seen.add(sql)
    return echoes


def _ours(below: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """`below` without SQLite's own statements: `-- …` lines and trigger echoes."""
    ours, seen = [], set()
    for connection, sql in below:
        if _keyword(sql) in ("BEGIN", "COMMIT", "ROLLBACK"):
            seen.clear()
        elif sql.lstrip().startswith("--") or sql in seen:
            continue
        else:
            seen.add(sql)
        ours.append((connection, sql))
    return ours


def reconcile(result: Counted) -> Reconciled:
    ours = {_keyword(sql) for _, sql, _ in result.sent}
    inside = sum(sql.lstrip().startswith("--") for _, sql in result.below)
    inside += _trigger_echoes(result.below)
    alone = Counter(
        short(sql, 30)
        for _, sql in result.below
        if not sql.lstrip().startswith("--") and _keyword(sql) not in ours
    )
    accounted = len(result.sent) + result.many_rows + inside + alone.total()
    return Reconciled(inside, alone, len(result.below) - accounted)


def _below(result: Counted) -> str:
    found = reconcile(result)
    parts = [f"{len(result.below)} = {len(result.sent)} hooked"]
    if result.many_rows:
        parts.append(f"{result.many_rows} more executemany rows")
    if found.inside:
        parts.append(f"{found.inside} inside SQLite (FTS5, triggers)")
    parts.extend(f"{n} × `{sql}` sent by the driver alone" for sql, n in found.alone.items())
    if found.unexplained:
        parts.append(f"**({found.unexplained:+d} unexplained)**")
    return " + ".join(parts)


def _transactions(result: Counted, writes: bool | None, locking: bool = False) -> int:
    return sum(
        (writes is None or t.writes == writes) and (not locking or t.locks_for_writing)
        for t in result.census.transactions
    )


_ROWS: list[tuple[str, Callable[[Counted], object]]] = [
    ("**statements** (BEGIN, COMMIT, ROLLBACK counted; PRAGMAs not)", lambda r: len(r.seen)),
    ("… BEGIN", lambda r: r.census.count(r"BEGIN\b")),
    ("… COMMIT", lambda r: r.census.count(r"COMMIT\b")),
    ("… ROLLBACK", lambda r: r.census.count(r"ROLLBACK\b")),
    ("… pre-ping on checkout", lambda r: sum(origin == "ping" for *_, origin in r.sent)),
    ("… outside any transaction", lambda r: sum(n == 0 for n, _ in r.census.statements)),
    ("**transactions**", lambda r: _transactions(r, None)),
    ("… **write** transactions", lambda r: _transactions(r, True)),
    ("… read-only transactions", lambda r: _transactions(r, False)),
    (
        "… read-only, yet taking the write lock (BEGIN IMMEDIATE)",
        lambda r: _transactions(r, False, True),
    ),
    ("connection checkouts from the pool", lambda r: r.checkouts),
    ("rollback calls on return, no transaction open (nothing sent)", lambda r: r.idle_rollbacks),
    ("PRAGMAs (left out above)", lambda r: r.pragmas),
    ("check: all the database saw (trace / log) = what SQLAlchemy's hooks saw + …", _below),
]


def print_counts(results: list[Counted]) -> None:
    print("\n### 1. SQL per operation: one `generate`, one output, no key, finite plan\n")
    print(_HOW + "\n")
    print("| | " + " | ".join(result.database for result in results) + " |")
    print("|---" * (len(results) + 1) + "|")
    for label, value in _ROWS:
        print(f"| {label} | " + " | ".join(str(value(result)) for result in results) + " |")
    for result in results:
        if reconcile(result).unexplained:
            print(
                f"\n**{result.database}: the database and SQLAlchemy's hooks disagree (a path "
                "around SQLAlchemy's cursor that does not tell its listeners?).**"
            )
    for result in results:
        print(
            f"\nThe statements of that one operation on {result.database}, in order (T*n*: "
            f"transaction *n*, `.` outside one; the operation's outcome: {result.outcome}):\n"
        )
        print("```")
        for index, (number, sql) in enumerate(result.census.statements, 1):
            print(f"{index:3} {f'T{number}' if number else '.':>4} {short(sql)}")
        print("```")
