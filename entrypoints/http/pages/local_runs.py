"""The local pages' runs in this process by their form's run token (`run_tokens.run_key`): a
local operation finishes while its request waits, so a second submit of the same form waits for
the first run's answer instead of doing the work (and storing its output) again."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TypeVar, cast

T = TypeVar("T")
KEPT_RUNS = 1_000
"""Runs remembered (a second submit comes within moments of the first)."""


class LocalRuns:
    def __init__(self) -> None:
        self._runs: OrderedDict[str, asyncio.Future[object]] = OrderedDict()

    async def once(self, key: str, work: Callable[[], Awaitable[T]]) -> T:
        """`work`'s answer, done once per `key` (a later caller gets the first one's answer)."""
        found = self._runs.get(key)
        if found is None:
            run: asyncio.Future[T] = asyncio.ensure_future(work())
            self._runs[key] = cast("asyncio.Future[object]", run)
            while len(self._runs) > KEPT_RUNS:
                self._runs.popitem(last=False)
        else:
            # The same key is the same form, so the same kind of work: the same kind of answer.
            run = cast("asyncio.Future[T]", found)
        # Shielded: a caller that leaves (its browser went on) does not cancel the others' run.
        return await asyncio.shield(run)
