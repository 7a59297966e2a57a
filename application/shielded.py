"""`await asyncio.shield(work)`, without the shield's task when `work` never has to wait.

The money path settles in a shielded task so a caller cancelled meanwhile cannot cut a
settlement short. Most settlements never wait (the memory unit of work, and SQLite's units on
the event loop's own thread): for them the task only cost three more turns of the loop per
operation. Here `work` starts at once, in the caller's task, as Python 3.12's eager tasks do;
a cancellation can only reach a coroutine where it waits, so one that finishes without waiting
is as safe as a shielded one. Where it first waits, the rest goes on in a shielded task, which
goes on from there: nothing runs twice, nothing is skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator
from typing import Any, TypeVar

T = TypeVar("T")


async def shielded(work: Coroutine[Any, Any, T]) -> T:
    """The result of `work`, which a cancellation of the caller does not stop (as `shield`)."""
    try:
        waiting_on = work.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    return await asyncio.shield(_go_on(work, waiting_on))


async def _go_on(work: Coroutine[Any, Any, T], waiting_on: Any) -> T:
    """Drive `work` on from the point it waits at (`waiting_on`, what it yielded), in this
    task: what `work` waits on, this task waits on."""
    while True:
        try:
            answer = await _Wait(waiting_on)
        except BaseException as error:  # the wait failed, or this task is being cancelled
            try:
                waiting_on = work.throw(error)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
        else:
            try:
                waiting_on = work.send(answer)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]


class _Wait:
    """Yields to the task what `work` yielded (a future, or None for a bare turn of the loop),
    and hands back what the task sends."""

    __slots__ = ("_waiting_on",)

    def __init__(self, waiting_on: Any) -> None:
        self._waiting_on = waiting_on

    def __await__(self) -> Generator[Any, Any, Any]:
        return (yield self._waiting_on)
