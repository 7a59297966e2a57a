"""List waiting: every user's operations not yet final, newest first, each with what it holds
and waits for (the views `ListOperations` gives their owner); settled ones never appear and
nothing is settled or leased by looking."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from fakes import Unknown, text_to_image
from returns.result import Success
from test_list_operations import TIMING, listing

from imagestudio.application.use_cases.list_waiting import ListWaiting
from imagestudio.domain.errors import OutcomeUnknown
from imagestudio.domain.operation import OperationStatus

if TYPE_CHECKING:
    from conftest import Studio


async def test_every_users_unfinished_operations_and_no_settled_one(studio: Studio) -> None:
    assert isinstance(await studio.run.execute(text_to_image(user="ada")), Success)
    unknown = []
    for user in ("ada", "bob"):
        studio.clock.advance(timedelta(seconds=1))
        studio.provider.script(Unknown(task_id=f"task-{user}"))
        error = (await studio.run.execute(text_to_image(user=user))).failure()
        assert isinstance(error, OutcomeUnknown)
        unknown.append(error.operation_id)
    waiting = ListWaiting(studio.ports.operations, studio.quota, studio.clock, TIMING)

    views = await waiting.execute()

    assert [view.operation.id for view in views] == unknown[::-1]
    assert {view.operation.status for view in views} == {OperationStatus.UNKNOWN}
    # The owner's own listing describes each alike: the same holds, the same waits.
    ada = (await listing(studio).execute("ada")).unwrap().items
    assert [view for view in ada if view.operation.id == unknown[0]] == [views[1]]
    assert [view.operation.id for view in await waiting.execute(limit=1)] == [unknown[1]]
    # Looking leased nothing: a reconciler takes both at once.
    now = studio.clock.now()
    until = now + timedelta(minutes=1)
    taken = await studio.ports.leases.take_unknown(now, "reconciler", until, 10)
    assert sorted(taken) == sorted(unknown)
