"""The CLI's progress line while an operation runs: the events of the operation this process
runs, read by `FollowOperation` as the HTTP event stream reads them and said in its words."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from imagestudio.entrypoints.api import ImageStudio

T = TypeVar("T")


async def run_showing(
    studio: ImageStudio,
    work: Coroutine[Any, Any, T],
    show: Callable[[str], None],
    *,
    drain_seconds: float = 0.0,
) -> T:
    """`work`'s result; meanwhile each event of the operation it starts is given to `show`.

    `drain_seconds`: how long the line may still catch up on the final event once the work is
    done (the CLI prints the result at once instead).
    """
    line = _Line(studio, show)
    stop = studio.container.progress_notes().watch(line.started)
    follower = asyncio.create_task(line.follow())
    try:
        return await work
    finally:
        stop()
        if drain_seconds and line.following:
            await asyncio.wait({follower}, timeout=drain_seconds)
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)


class _Line:
    def __init__(self, studio: ImageStudio, show: Callable[[str], None]) -> None:
        self._studio = studio
        self._show = show
        self._first: asyncio.Future[tuple[str, str]] = asyncio.get_running_loop().create_future()
        self.following = False

    def started(self, operation_id: str, user_id: str) -> None:
        # The first one: those `auto` moves the request to next are its chain, followed anyway.
        if not self._first.done():
            self._first.set_result((operation_id, user_id))
            self.following = True

    async def follow(self) -> None:
        from returns.result import Success

        from imagestudio.application.use_cases.follow_operation import Idle

        operation_id, user_id = await self._first
        following = await self._studio.follow_operation.execute(user_id, operation_id)
        if not isinstance(following, Success):
            return
        async for item in following.unwrap().events:
            if not isinstance(item, Idle):
                self._show(item.summary)
