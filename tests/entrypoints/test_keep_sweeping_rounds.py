"""`keep_sweeping` settles every operation a dead process left before its next pause, however
many: a round takes at most its limit, and one round a lease apart would leave the rest of
their users' holds (calls, spend, concurrency) for minutes."""

from __future__ import annotations

import asyncio

from support.dead_operations import ROUND, leave_dead

from imagestudio.entrypoints.api import ImageStudio, Profile


async def test_keep_sweeping_settles_more_dead_operations_than_one_round_takes() -> None:
    studio = await ImageStudio.connect(profile=Profile.TEST)
    dead = ROUND + 5
    await leave_dead(studio.container.ports(), dead)

    chores = asyncio.create_task(studio.keep_sweeping(every=3600))
    try:
        for _ in range(200):
            usage = (await studio.usage.execute("local")).unwrap()
            if all(row.held == 0 for row in usage.rows):
                break
            await asyncio.sleep(0.05)
        assert all(row.held == 0 for row in usage.rows), usage.rows
    finally:
        chores.cancel()
        await asyncio.gather(chores, return_exceptions=True)
        await studio.aclose()
