"""Property: whatever units run — committed, left, or failed — the stores end as if only the
committed units had run, and every unit of work answers as the in-memory model does (a commit's
receipt included, read once its unit has ended)."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.unit_world import (
    LEASE,
    NOW,
    PERIOD,
    World,
    a_failure,
    a_line,
    a_request,
    an_asset,
    an_operation,
    answer_of,
    memory_world,
    world_on,
)

from imagestudio.adapters.sql.transaction import TransactionFailed
from imagestudio.application.ports.unit_of_work import StaleOperation, Unit, UnitOfWork
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.quota import Counter, Settlement

USERS, RESERVATIONS, OPERATIONS = ("ada", "bob"), ("r0", "r1", "r2"), ("o0", "o1", "o2")
KEYS, HASHES, ASSETS = ("k0", "k1"), ("h0", "h1"), ("a0", "a1")
FAILURES = (StaleOperation, ValueError, LookupError, TransactionFailed)
S = OperationStatus
Ending = Literal["commit", "leave", "raise"]


@dataclass(frozen=True, slots=True)
class Names:
    """Each example's own users, ids and keys, so examples share one database."""

    prefix: str

    def __call__(self, name: str) -> str:
        return f"{self.prefix}{name}"


@dataclass(frozen=True, slots=True)
class Step:
    """One call on a unit; what it answers (None for a write)."""

    verb: str
    args: tuple[Any, ...]

    async def on(self, unit: Unit, n: Names) -> object:
        a = self.args
        match self.verb:
            case "reserve":
                asked = a_request(n(a[0]), a[2], a[3], needs_storage=a[4])
                return await unit.quota.reserve(n(a[1]), asked)
            case "commit":
                return await unit.quota.commit(n(a[0]), Settlement(outputs=1, amount=50))
            case "release":
                await unit.quota.release(n(a[0]))
            case "adjust":
                return await unit.quota.adjust_spend(n(a[0]), PERIOD, a[1])
            case "append":
                await unit.ledger.append(a_line(n(a[0]), n("ada")))
            case "add":
                await unit.operations.add(an_operation(n(a[0]), n("ada")), LEASE)
            case "advance":
                moved = an_operation(n(a[0]), n("ada"), status=a[2])
                await unit.operations.advance(a[1], moved)
            case "claim":
                return await unit.idempotency.claim(n(a[0]), n(a[1]), a[2], NOW, n(a[3]))
            case "finish":
                await unit.idempotency.finish(n(a[0]), n(a[1]), a_failure())
            case "forget":
                await unit.idempotency.forget(n(a[0]), n(a[1]))
            case "hand_over":
                await unit.idempotency.hand_over(n(a[0]), n(a[1]), n(a[2]))
            case "asset":
                await unit.assets.add(an_asset(n(a[0]), n("ada"), n("o0")))
        return None


def _step(verb: str, *parts: st.SearchStrategy[Any]) -> st.SearchStrategy[Step]:
    return st.tuples(*parts).map(lambda args: Step(verb, args))


_user, _rid = st.sampled_from(USERS), st.sampled_from(RESERVATIONS)
_op, _key, _hash = st.sampled_from(OPERATIONS), st.sampled_from(KEYS), st.sampled_from(HASHES)
_status = st.sampled_from([S.RESERVED, S.SUCCEEDED, S.UNKNOWN])
STEPS = st.one_of(
    _step(
        "reserve",
        _user,
        _rid,
        st.integers(1, 2),
        st.sampled_from([100, 400_000]),
        st.booleans(),  # needs storage: two assets fill ada's
    ),
    _step("commit", _rid),
    _step("release", _rid),
    _step("adjust", _user, st.sampled_from([-300, 200])),
    _step("append", _op),
    _step("add", _op),
    _step("advance", _op, _status, _status),
    _step("claim", _user, _key, _hash, _op),
    _step("finish", _user, _key),
    _step("forget", _user, _key),
    _step("hand_over", _user, _key, _op),
    _step("asset", st.sampled_from(ASSETS)),
)
Program = list[tuple[list[Step], Ending]]
ENDINGS: st.SearchStrategy[Ending] = st.sampled_from(["commit", "leave", "raise"])
PROGRAMS = st.lists(
    st.tuples(st.lists(STEPS, min_size=1, max_size=4), ENDINGS), min_size=1, max_size=6
)


class _Abandoned(Exception):
    pass


async def play(units: UnitOfWork, program: Program, n: Names) -> list[tuple[bool, list[object]]]:
    """Each unit's fate (kept or not) and what its calls answered, up to a failure."""
    played = []
    for steps, ending in program:
        answers: list[object] = []
        kept = False
        try:
            async with units.begin() as unit:
                for step in steps:
                    answers.append(await step.on(unit, n))
                if ending == "raise":
                    raise _Abandoned()
                if ending == "commit":
                    await unit.commit()
                    kept = True
        except (_Abandoned, *FAILURES):
            pass
        played.append((kept, answers))
    return played


async def state(world: World, n: Names) -> dict[str, object]:
    """Everything the stores hold for the example, as their own reads see it."""
    seen: dict[str, object] = {}
    for user in USERS:
        counters = await world.quota.counters(n(user), NOW)
        seen[f"counters {user}"] = {k.name: c for k, c in counters.items() if c != Counter()}
        seen[f"ledger {user}"] = await world.ledger.for_user(n(user))
        for key in KEYS:
            seen[f"key {user} {key}"] = await answer_of(world.units, n(user), n(key), "h0")
    for rid in RESERVATIONS:
        seen[f"reservation {rid}"] = await world.quota.reservation(n(rid))
    for operation in OPERATIONS:
        seen[f"operation {operation}"] = await world.operations.get(n(operation))
    for asset in ASSETS:
        seen[f"asset {asset}"] = await world.library.get(n("ada"), n(asset))
    seen["bytes"] = await world.library.bytes_used(n("ada"))
    return seen


async def check(world: World, program: Program, n: Names) -> None:
    for user in USERS:
        await world.quota.assign(n(user), "small")
    played = await play(world.units, program, n)
    async with memory_world() as model, memory_world() as committed_only:
        for user in USERS:
            await model.quota.assign(n(user), "small")
            await committed_only.quota.assign(n(user), "small")
        assert played == await play(model.units, program, n)
        kept = [
            (steps, "commit")
            for (steps, _), (was_kept, _) in zip(program, played, strict=True)
            if was_kept
        ]
        replayed = await play(committed_only.units, kept, n)  # type: ignore[arg-type]
        assert [answers for was_kept, answers in played if was_kept] == [a for _, a in replayed]
        assert await state(world, n) == await state(committed_only, n)


@pytest.mark.parametrize(
    "backend", ["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_only_committed_units_are_kept_and_all_of_them(
    backend: str, request: pytest.FixtureRequest
) -> None:
    url = None
    if backend != "memory":
        url = str(request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url"))
    examples = itertools.count()
    with asyncio.Runner() as runner:
        opened = world_on(backend, url)
        world = runner.run(opened.__aenter__())
        try:

            @settings(deadline=None)
            @given(PROGRAMS)
            def each(program: Program) -> None:
                runner.run(check(world, program, Names(f"x{next(examples)}_")))

            each()
        finally:
            runner.run(opened.__aexit__(None, None, None))
