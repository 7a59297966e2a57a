"""`shielded(work)` is `await asyncio.shield(work)`, with no task for work that never waits."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imagestudio.application.shielded import shielded

# A step of some work: a turn of the loop; a wait on a future answered already, or answered later
# with a value or an error (caught by the work, or escaping it). The work ends with a value or an
# error.
Step = tuple[str, int]
steps = st.lists(
    st.tuples(st.sampled_from(["turn", "ready", "later", "later-error", "escapes"]), st.integers()),
    max_size=8,
)


class Boom(Exception):
    pass


def a_work(script: list[Step], fails: bool, seen: list[object]) -> Callable[[], Awaitable[int]]:
    async def work() -> int:
        loop = asyncio.get_running_loop()
        total = 0
        for kind, value in script:
            if kind == "turn":
                await asyncio.sleep(0)
            elif kind == "ready":
                future = loop.create_future()
                future.set_result(value)
                total += await future
            else:
                future = loop.create_future()
                if kind == "later":
                    loop.call_soon(future.set_result, value)
                else:
                    loop.call_soon(future.set_exception, Boom(value))
                try:
                    total += await future
                except Boom as error:
                    if kind == "escapes":
                        raise
                    total -= error.args[0]
            seen.append(total)
        if fails:
            raise Boom(total)
        return total

    return work


async def outcome(awaitable: Awaitable[int]) -> tuple[str, object]:
    try:
        return ("value", await awaitable)
    except Boom as error:
        return ("error", error.args)


@given(script=steps, fails=st.booleans())
def test_any_work_comes_to_what_awaiting_it_directly_comes_to(
    script: list[Step], fails: bool
) -> None:
    async def both() -> None:
        direct_seen: list[object] = []
        shielded_seen: list[object] = []
        direct = await outcome(a_work(script, fails, direct_seen)())
        through = await outcome(shielded(a_work(script, fails, shielded_seen)()))
        assert through == direct
        assert shielded_seen == direct_seen  # every step ran, once, in order

    asyncio.run(both())


async def test_work_that_never_waits_runs_in_the_callers_task() -> None:
    caller = asyncio.current_task()

    async def work() -> object:
        return asyncio.current_task()

    assert await shielded(work()) is caller


async def test_a_cancelled_caller_does_not_stop_work_that_waits() -> None:
    gate = asyncio.Event()
    finished: list[str] = []

    async def work() -> None:
        finished.append("began")  # before any wait: in the caller's task
        await gate.wait()
        await asyncio.sleep(0)
        finished.append("ended")

    caller = asyncio.create_task(shielded(work()))
    await asyncio.sleep(0)
    assert finished == ["began"]
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    gate.set()
    for _ in range(10):
        if finished[-1] == "ended":
            break
        await asyncio.sleep(0)
    assert finished == ["began", "ended"]


async def test_an_error_before_any_wait_is_raised_to_the_caller() -> None:
    async def work() -> None:
        raise Boom("at once")

    with pytest.raises(Boom, match="at once"):
        await shielded(work())
