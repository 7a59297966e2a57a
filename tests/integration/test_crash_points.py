"""A process killed at any side-effecting step of one `generate`, then the documented recovery
(sweep, reconcile, and reconcile again past the delay), leaves the books straight.

The steps are not listed here: a clean child run counts them (tests/support/crash_child.py),
then one child per step dies there (`os._exit`, like kill -9), each on a fresh copy of an
upgraded database. `make test` runs three configurations; `make crash` runs the whole matrix
(IMAGESTUDIO_CRASH_MATRIX=full).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import time
from asyncio.subprocess import PIPE
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from support.crash_checks import (
    billed,
    garbage_problems,
    problems_in_books,
    recover,
    resolutions,
    retry_and_go_on,
)
from support.crash_child import KILLED, USER, ChildConfig, read_journal
from support.postgres_server import ThrowawayPostgres

from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql.engine import create_engine

CHILD = Path(__file__).resolve().parents[1] / "support" / "crash_child.py"
CHILD_SECONDS = 120


@dataclass(frozen=True, slots=True)
class Case:
    database: str
    provider: str
    outputs: int
    keyed: bool

    @property
    def name(self) -> str:
        return f"{self.database}-{self.provider}-n{self.outputs}-{'key' if self.keyed else 'nokey'}"


DEFAULT_CASES = (
    Case("sqlite", "offline", 1, True),
    Case("sqlite", "offline", 2, True),
    Case("postgresql", "wavespeed", 1, True),
)
ALL_CASES = tuple(
    Case(database, provider, outputs, keyed)
    for database in ("sqlite", "postgresql")
    for provider in ("offline", "wavespeed", "stability")
    for outputs in (1, 2)
    for keyed in (True, False)
)
CASES = ALL_CASES if os.environ.get("IMAGESTUDIO_CRASH_MATRIX") == "full" else DEFAULT_CASES


async def upgrade(url: str) -> None:
    engine = create_engine(url)
    await schema.upgrade(engine)
    await engine.dispose()


class Databases:
    """Fresh upgraded databases for one configuration, copied from a template upgraded once."""

    def __init__(self, root: Path, server: ThrowawayPostgres | None) -> None:
        self._root = root
        self._server = server
        self._template = f"crash_{os.getpid()}_{root.name[-20:].lower()}"
        self._made: list[str] = []
        if server is None:
            asyncio.run(upgrade(f"sqlite:///{root / 'template.db'}"))
        else:
            asyncio.run(upgrade(server.create_database(self._template)))
            self._made.append(self._template)

    def fresh(self, name: str) -> str:
        if self._server is None:
            shutil.copyfile(self._root / "template.db", self._root / f"{name}.db")
            return f"sqlite:///{self._root / f'{name}.db'}"
        database = f"{self._template}_{name}"
        with psycopg.connect(self._server.url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(database), sql.Identifier(self._template)
                )
            )
        self._made.append(database)
        return self._server.url_for(database)

    def drop_all(self) -> None:
        for database in reversed(self._made):
            assert self._server is not None
            self._server.drop_database(database)


@pytest.fixture
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Databases]:
    server = None
    if request.node.callspec.params["case"].database == "postgresql":
        server = request.getfixturevalue("postgres_server")
    made = Databases(tmp_path, server)
    yield made
    made.drop_all()


class Children:
    """Children forked by one `crash_child.py --serve`, which paid the imports once."""

    def __init__(self, server: asyncio.subprocess.Process) -> None:
        self._server = server

    @classmethod
    async def start(cls) -> Children:
        server = await asyncio.create_subprocess_exec(
            sys.executable, str(CHILD), "--serve", stdin=PIPE, stdout=PIPE
        )
        return cls(server)

    async def run(self, config: ChildConfig) -> tuple[int, str]:
        """The child's exit code, and its stdout (exit 0) or the end of its stderr."""
        assert self._server.stdin is not None and self._server.stdout is not None
        self._server.stdin.write(config.to_json().encode() + b"\n")
        await self._server.stdin.drain()
        answer = await asyncio.wait_for(self._server.stdout.readline(), CHILD_SECONDS)
        code = int(answer) if answer.strip() else -1  # -1: the fork server itself died
        return code, _tail(Path(config.journal + (".out" if code == 0 else ".err")))

    async def close(self) -> None:
        assert self._server.stdin is not None
        self._server.stdin.close()
        await self._server.wait()


def _tail(path: Path) -> str:
    """The last lines a child wrote (a traceback's last line names the error)."""
    return " | ".join(path.read_text().strip().splitlines()[-3:]) if path.exists() else ""


async def crash_at(
    children: Children, config: ChildConfig, sandbox: RunningSandbox | None
) -> tuple[list[str], list[str], list[str]]:
    """Run a child dying at `config.die_at` (0: never), recover, check: the steps the child
    counted, the problems found, and notes on how it was recovered."""
    folder = Path(config.journal).parent
    billed_before = billed(sandbox, config.provider)
    code, said = await children.run(config)
    ran, steps = read_journal(Path(config.journal))
    expected = KILLED if config.die_at else 0
    if code != expected:
        return steps, [f"the child ended with {code}, not {expected}: {said}"], []
    if not config.die_at and json.loads(said)["outcome"] != "ok":
        return steps, [f"the clean run did not succeed: {json.loads(said)['outcome']}"], []
    studio, clock, recovered, notes = await recover(config, folder / "recovery.journal", ran)
    try:
        notes = [*await resolutions(studio, ran), *notes]
        if stored := [step for step in recovered if step.startswith("put")]:
            notes.append(f"recovery stored {len(stored)} output(s)")
        problems = [
            f"recovery sent a request to the provider ({step})"
            for step in recovered
            if step == "send"
        ]
        found = await problems_in_books(studio, USER, config.provider, ran, clock.now())
        problems += [f"after recovery: {problem}" for problem in found]
        orphans, garbage = await garbage_problems(studio)
        problems += garbage + await retry_and_go_on(studio, config, ran)
        every = ran + read_journal(folder / "recovery.journal")[0]
        again = await problems_in_books(studio, USER, config.provider, every, clock.now())
        problems += [f"after a retry and a new one: {it}" for it in again if it not in found]
        cost = sum(line.provider_cost for line in await studio.container.ledger().for_user(USER))
        if billed(sandbox, config.provider) - billed_before > cost:
            problems.append(f"the sandbox billed more than the ledger's provider cost {cost}")
    finally:
        await studio.aclose()
    return steps, problems, notes + orphans


async def crash_everywhere(
    case: Case, databases: Databases, root: Path
) -> tuple[list[str], list[tuple[list[str], list[str]]]]:
    """The steps of a clean run (after "no crash"), and for each step the problems and notes
    of a child that died there."""
    sandbox = RunningSandbox() if case.provider != "offline" else None
    children = await Children.start()
    labels: list[str] = ["no crash"]
    report: list[tuple[list[str], list[str]]] = []
    try:
        with sandbox or nullcontext():
            while len(report) < len(labels):
                step = len(report)
                (root / f"step{step}").mkdir()
                config = ChildConfig(
                    database_url=databases.fresh(f"step{step}"),
                    data_dir=str(root / f"step{step}" / "data"),
                    provider=case.provider,
                    outputs=case.outputs,
                    idempotency_key=f"crash-key-{step}" if case.keyed else None,
                    sandbox_url=None if sandbox is None else sandbox.base_url,
                    die_at=step,
                    journal=str(root / f"step{step}" / "child.journal"),
                )
                try:
                    seen, problems, notes = await crash_at(children, config, sandbox)
                except Exception as error:  # one boundary's surprise must not hide the others'
                    seen, problems, notes = [], [f"the harness hit {error!r}"], []
                labels += seen if step == 0 else []
                report.append((problems, notes))
    finally:
        await children.close()
    return labels, report


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, id=c.name, marks=[pytest.mark.postgres] if c.database != "sqlite" else [])
        for c in CASES
    ],
)
async def test_every_crash_point_recovers_with_the_books_straight(
    case: Case, databases: Databases, tmp_path: Path
) -> None:
    started = time.monotonic()
    labels, report = await crash_everywhere(case, databases, tmp_path)
    print(f"\n{case.name}: {len(labels) - 1} boundaries, {time.monotonic() - started:.1f}s")
    for step, (problems, notes) in enumerate(report):
        print(f"  {step} {labels[step]}: " + "; ".join(problems + notes or ["ok"]))
    failures = [f"  {k} ({labels[k]}): {p}" for k, (found, _) in enumerate(report) for p in found]
    assert not failures, f"{case.name}:\n" + "\n".join(failures)
