"""List and show operations: the caller's own, newest first, each with what it holds of their plan
and what it waits for — the same deadlines reconciliation and the sweeper keep."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest
from fakes import FLAT_PRICE, NOW, Block, Pending, Unknown, text_to_image
from returns.result import Failure, Success

from imagestudio.application.operation_ports import LeasePolicy
from imagestudio.application.operation_views import Held, OperationView
from imagestudio.application.operation_waits import ReconcileTiming, Wait, WaitReason
from imagestudio.application.page_cursors import place_text
from imagestudio.application.use_cases.list_operations import ListOperations, OperationPage
from imagestudio.application.use_cases.reconcile import Reconcile
from imagestudio.application.use_cases.show_operation import ShowOperation
from imagestudio.application.use_cases.sweep import SweepAbandoned
from imagestudio.domain.errors import InvalidInput, OperationNotFound, OutcomeUnknown, UnknownUser
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.operation_kind import OperationKind, QuotaCategory
from imagestudio.domain.operation_query import UNFINISHED, OperationQuery

if TYPE_CHECKING:
    from conftest import Studio

S = OperationStatus
EDGE = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))
"""A time no UTC time can hold: a database could not compare it."""
TIMING = ReconcileTiming(
    unresolved_after=timedelta(minutes=10),
    recheck_after=timedelta(seconds=30),
    task_retention=timedelta(hours=24),
)


def listing(studio: Studio) -> ListOperations:
    return ListOperations(studio.ports.operations, studio.quota, studio.clock, TIMING)


def showing(studio: Studio) -> ShowOperation:
    return ShowOperation(studio.ports.operations, studio.quota, studio.clock, TIMING)


def reconciler(studio: Studio) -> Reconcile:
    return Reconcile(
        studio.ports,
        studio.run,
        LeasePolicy(holder="reconciler"),
        unresolved_after=TIMING.unresolved_after,
        recheck_after=TIMING.recheck_after,
        task_retention=TIMING.task_retention,
    )


async def page_of(studio: Studio, user: str = "ada", **arguments: object) -> OperationPage:
    result = await listing(studio).execute(user, **arguments)  # type: ignore[arg-type]
    assert isinstance(result, Success), result
    return result.unwrap()


async def only_view(studio: Studio, user: str = "ada") -> OperationView:
    [view] = (await page_of(studio, user)).items
    shown = await showing(studio).execute(user, view.operation.id)
    assert shown == Success(view), "show and list describe an operation alike"
    return view


async def left_unknown(studio: Studio, task_id: str | None) -> str:
    studio.provider.script(Unknown(task_id=task_id))
    error = (await studio.run.execute(text_to_image())).failure()
    assert isinstance(error, OutcomeUnknown)
    return error.operation_id


async def test_an_unknown_outcome_shows_what_it_holds_and_the_task_it_waits_on(
    studio: Studio,
) -> None:
    operation_id = await left_unknown(studio, task_id="task-1")
    studio.clock.advance(timedelta(minutes=3))

    view = await only_view(studio)

    assert view.operation.id == operation_id
    assert view.operation.status is S.UNKNOWN
    assert view.held == Held(
        reservation_id=view.operation.reservation_id or "",
        category=QuotaCategory.IMAGE_GENERATION,
        outputs=1,
        spend=FLAT_PRICE,
        concurrency=1,
    )
    # Exactly what usage counts as held.
    assert (await studio.spend("ada")).held == FLAT_PRICE
    assert view.wait == Wait(
        reason=WaitReason.PROVIDER_TASK,
        next_at=NOW,  # nobody has held it since: due, at the next round, whenever one looks
        until=view.operation.updated_at + TIMING.task_retention,
        task_ids=("task-1",),
    )
    assert "task-1" in view.wait.detail


async def test_a_call_the_provider_never_confirmed_waits_for_the_reconcile_delay(
    studio: Studio,
) -> None:
    await left_unknown(studio, task_id=None)
    released_at = NOW + TIMING.unresolved_after

    view = await only_view(studio)

    assert view.wait == Wait(reason=WaitReason.UNCONFIRMED, next_at=released_at, until=released_at)
    assert view.held is not None


async def test_the_unconfirmed_deadline_shown_is_the_one_reconciliation_keeps(
    studio: Studio,
) -> None:
    operation_id = await left_unknown(studio, task_id=None)
    wait = (await only_view(studio)).wait
    assert wait is not None

    studio.clock.set(wait.next_at - timedelta(seconds=1))
    early = await reconciler(studio).execute()
    studio.clock.set(wait.next_at + TIMING.recheck_after)  # past the reconciler's own lease
    due = await reconciler(studio).execute()

    assert early.pending == (operation_id,)
    assert due.unresolved == (operation_id,)
    settled = await only_view(studio)
    assert (settled.held, settled.wait) == (None, None)
    await studio.assert_nothing_held("ada")


async def test_a_task_still_pending_is_looked_up_again_when_the_reconcilers_lease_ends(
    studio: Studio,
) -> None:
    operation_id = await left_unknown(studio, task_id="task-1")
    studio.provider.tasks["task-1"] = Pending()

    report = await reconciler(studio).execute()

    view = await only_view(studio)
    assert report.pending == (operation_id,)
    assert view.wait is not None
    assert view.wait.reason is WaitReason.PROVIDER_TASK
    assert view.wait.next_at == NOW + TIMING.recheck_after
    assert report.waiting == (view,), "the round's report says the same"


async def test_a_running_operation_waits_on_its_process_then_on_the_sweeper(
    studio: Studio,
) -> None:
    blocked = Block(after_sending=True)
    studio.provider.script(blocked)
    running = asyncio.create_task(studio.run.execute(text_to_image()))
    await blocked.entered.wait()

    live = await only_view(studio)
    studio.clock.advance(timedelta(minutes=5))  # its process stopped renewing the lease
    stalled = await only_view(studio)
    swept = await SweepAbandoned(studio.ports).execute()
    left = await only_view(studio)

    assert live.operation.status is S.SUBMITTED
    assert live.held is not None
    assert live.wait is not None
    assert live.wait.reason is WaitReason.RUNNING
    assert live.wait.next_at > NOW
    assert stalled.wait == Wait(reason=WaitReason.SWEEP, next_at=live.wait.next_at, until=None)
    assert swept.unknown == (live.operation.id,)
    assert left.wait is not None
    assert left.wait.reason is WaitReason.UNCONFIRMED  # it died before the provider named a task
    blocked.release()
    await running


async def test_a_finished_operation_holds_and_waits_for_nothing(studio: Studio) -> None:
    assert isinstance(await studio.run.execute(text_to_image()), Success)

    view = await only_view(studio)

    assert view.operation.status is S.SUCCEEDED
    assert view.operation.charged == FLAT_PRICE
    assert (view.held, view.wait) == (None, None)


async def run_several(studio: Studio, count: int, user: str = "ada") -> list[str]:
    made = []
    for _ in range(count):
        studio.clock.advance(timedelta(seconds=1))
        done = await studio.run.execute(text_to_image(user=user))
        made.append(done.unwrap().operation.id)
    return made


async def test_pages_walk_every_operation_once_newest_first(studio: Studio) -> None:
    made = await run_several(studio, 5)

    walked, cursor = [], None
    while True:
        page = await page_of(studio, cursor=cursor, limit=2)
        walked += [view.operation.id for view in page.items]
        if (cursor := page.next_cursor) is None:
            break

    assert walked == made[::-1]


async def test_another_users_operations_never_appear(studio: Studio) -> None:
    [mine] = await run_several(studio, 1, "ada")
    [theirs] = await run_several(studio, 1, "bob")

    assert [v.operation.id for v in (await page_of(studio, "ada")).items] == [mine]
    assert await showing(studio).execute("ada", theirs) == Failure(OperationNotFound(theirs))
    assert await showing(studio).execute("ada", "op_nope") == Failure(OperationNotFound("op_nope"))
    assert await showing(studio).execute("ada", "op\x00") == Failure(OperationNotFound("op\x00"))


async def test_filters_pick_statuses_kinds_and_times(studio: Studio) -> None:
    unknown = await left_unknown(studio, task_id="task-1")  # at NOW
    [done] = await run_several(studio, 1)  # a second later

    unfinished = await page_of(studio, query=OperationQuery(statuses=UNFINISHED))
    edits = await page_of(studio, query=OperationQuery(kind=OperationKind.IMAGE_EDIT))
    second = NOW + timedelta(seconds=1)
    later = await page_of(studio, query=OperationQuery(created_from=second))
    earlier = await page_of(studio, query=OperationQuery(created_before=second))

    assert [v.operation.id for v in unfinished.items] == [unknown]
    assert edits.items == ()
    assert [v.operation.id for v in later.items] == [done]
    assert [v.operation.id for v in earlier.items] == [unknown]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"cursor": "not a cursor!"}, "cursor"),
        ({"cursor": "YWJj"}, "cursor"),  # base64 of "abc": no time, no id
        ({"query": OperationQuery(created_from=NOW.replace(tzinfo=None))}, "created_from"),
        ({"cursor": place_text(EDGE, "op_1")}, "cursor"),
        ({"query": OperationQuery(created_from=EDGE)}, "created_from"),
        ({"query": OperationQuery(created_before=NOW.replace(tzinfo=None))}, "created_before"),
    ],
)
async def test_bad_arguments_are_refused_by_field(
    studio: Studio, arguments: dict[str, object], field: str
) -> None:
    result = await listing(studio).execute("ada", **arguments)  # type: ignore[arg-type]

    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, InvalidInput)
    assert error.field == field


async def test_an_unknown_users_operations_are_refused_as_an_unknown_user(studio: Studio) -> None:
    for query in (None, OperationQuery(statuses=UNFINISHED)):
        listed = await listing(studio).execute("nobody", query=query)

        assert isinstance(listed, Failure), listed
        assert listed.failure() == UnknownUser("nobody")


async def test_a_known_user_without_operations_gets_an_empty_page(studio: Studio) -> None:
    assert await page_of(studio) == OperationPage(items=(), next_cursor=None)
