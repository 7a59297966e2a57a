"""The floor of figure 2: the bare httpx loop doing, at the same points, the same SQL the `local`
profile sends (raw `sqlite3`, the same statements with the same parameters in the same four
transactions) and the same write of the output (a file, fsynced, renamed, its directory
fsynced, with `os` calls). No implementation of this design can add less CPU than this does,
so the gap between it and the `local` profile is what our own code adds.

The statements are recorded from one `generate` of the `local` profile in the same process,
then replayed into a copy of its database with fresh ids and shifted times for each operation:
the rows are new ones, as the profile's would be, and the request window counts the same
recent grants. The parameters are prepared before each timed block.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bare_wavespeed import bare_run
from money_path_sql import StatementLog
from providers_clients import POLL_SECONDS, ROUTE, Bare, job_body

Statement = tuple[str, Sequence[Any]]
Transaction = list[Statement]

_ID = re.compile(r"[0-9a-f]{32}")  # the random part of every id (operation, task, worker …)
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}\.\d{6}")


async def record(operation: Callable[[], Awaitable[object]]) -> tuple[list[Transaction], datetime]:
    """The transactions one run of `operation` sends (each without its BEGIN and COMMIT), and
    when it started."""
    with StatementLog() as log:
        started = datetime.now()
        await operation()
    transactions: list[Transaction] = []
    for sent in log.sent:
        words = sent.sql.split()
        if words[0] == "BEGIN":
            transactions.append([])
        elif words != ["COMMIT"]:
            transactions[-1].append((sent.sql, sent.parameters or ()))
    return transactions, started


class RawFloor:
    """A `Bare` loop with the recorded transactions before the submit (all but the last two),
    after it (the task id) and after the download (with the file write), like the profile's."""

    def __init__(
        self,
        base_url: str,
        recorded: tuple[list[Transaction], datetime],
        database: Path,
        folder: Path,
    ) -> None:
        self.transactions, self._recorded_at = recorded
        assert len(self.transactions) >= 3, self.transactions
        self._bare = Bare(base_url)
        self._folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        copy = folder / "floor.db"
        with sqlite3.connect(database) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        self._database = sqlite3.connect(copy, isolation_level=None)
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
            self._database.execute(f"PRAGMA {pragma}")
        self._ready: list[list[Transaction]] = []
        self._next: list[Transaction] = []

    def prepare(self, count: int) -> None:
        """Parameters for the next `count` operations, made outside the timed block."""
        self._ready = [self._fresh() for _ in range(count)]

    async def operation(self, index: int) -> str | None:
        self._next = self._ready.pop() if self._ready else self._fresh()
        return await bare_run(self._bare.client, ROUTE, job_body(index), POLL_SECONDS, self)

    async def close(self) -> None:
        await self._bare.close()
        self._database.close()

    def before_submit(self) -> None:
        for transaction in self._next[:-2]:
            self._run(transaction)

    def after_submit(self) -> None:
        self._run(self._next[-2])

    def after_download(self, content: bytes) -> None:
        name = self._folder / f"{os.urandom(8).hex()}.jpeg"
        partial = name.with_suffix(".tmp")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(descriptor, content)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.rename(partial, name)
        directory = os.open(self._folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        self._run(self._next[-1])

    def _run(self, transaction: Transaction) -> None:
        cursor = self._database.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        for sql, parameters in transaction:
            cursor.execute(sql, parameters).fetchall()
        cursor.execute("COMMIT")

    def _fresh(self) -> list[Transaction]:
        ids: dict[str, str] = {}
        shift = datetime.now() - self._recorded_at

        def renewed(value: Any) -> Any:
            if not isinstance(value, str):
                return value
            value = _ID.sub(lambda found: ids.setdefault(found[0], os.urandom(16).hex()), value)
            return _TIME.sub(lambda found: _shifted(found[0], shift), value)

        return [
            [(sql, [renewed(value) for value in parameters]) for sql, parameters in transaction]
            for transaction in self.transactions
        ]


def _shifted(stamp: str, shift: timedelta) -> str:
    return (datetime.fromisoformat(stamp) + shift).isoformat(stamp[10], "microseconds")
