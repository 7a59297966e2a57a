"""FollowOperation on the in-memory store: the events its stored states imply, once each, in
order; the chain `auto` moved a request along; resuming; waiting bounded; progress in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from returns.result import Failure

from imagestudio.adapters.memory.operation_store import InMemoryOperationStore
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.application.progress_notes import ProgressNotes
from imagestudio.application.use_cases.follow_operation import FollowOperation, FollowTiming, Idle
from imagestudio.domain.errors import InvalidInput, OperationNotFound
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_history import OperationEvent
from imagestudio.domain.operation_kind import OperationKind

S = OperationStatus
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
QUICK = FollowTiming(poll_seconds=0.001, longest_seconds=5)


def operation(operation_id: str, status: S, **changes: object) -> ImageOperation:
    made = ImageOperation(
        id=operation_id,
        user_id="alice",
        kind=OperationKind.TEXT_TO_IMAGE,
        model_id="acme/fast",
        provider="acme",
        prompt="a fox",
        input_digests=(),
        parameters={},
        outputs_requested=1,
        created_at=NOW,
        updated_at=NOW,
        status=status,
        reservation_id="res_1",
    )
    return replace(made, **changes)  # type: ignore[arg-type]


class World:
    def __init__(self, timing: FollowTiming = QUICK) -> None:
        self.store = InMemoryOperationStore()
        self.clock = FixedClock(NOW)
        self.notes = ProgressNotes()
        self.follow = FollowOperation(self.store, self.clock, self.notes, timing)

    async def events(self, operation_id: str, last: str | None = None) -> list[OperationEvent]:
        """Every event until the stream ends (Idle skipped)."""
        return [
            item
            async for item in await self.stream(operation_id, last)
            if not isinstance(item, Idle)
        ]

    async def stream(
        self, operation_id: str, last: str | None = None
    ) -> AsyncIterator[OperationEvent | Idle]:
        followed = await self.follow.execute("alice", operation_id, last)
        return followed.unwrap().events


def told(events: list[OperationEvent]) -> list[tuple[str, str, str]]:
    return [(e.kind.value, e.operation.id, str(e.id)) for e in events]


async def test_a_request_auto_moved_is_followed_to_its_last_operation() -> None:
    world = World()
    await world.store.save(
        operation("op_1", S.FAILED, provider_task_ids=("t1",), error="down", continued_by="op_2")
    )
    await world.store.save(operation("op_2", S.SUCCEEDED, provider_task_ids=("t2",), charged=40))

    heard = await world.events("op_1")
    resumed = await world.events("op_1", "0.3.0")
    all_heard = await world.follow.execute("alice", "op_1", "1.3.0")

    assert told(heard) == [
        ("accepted", "op_1", "0.0.0"),
        ("sent", "op_1", "0.1.1"),
        ("settled", "op_1", "0.3.0"),
        ("accepted", "op_2", "1.0.0"),
        ("sent", "op_2", "1.1.1"),
        ("settled", "op_2", "1.3.0"),
    ]
    assert heard[2].data()["continued_by"] == "op_2" and heard[2].data()["error"] == "down"
    assert heard[-1].data()["charged_micros"] == 40
    assert told(resumed) == told(heard)[3:]
    assert all_heard.unwrap().heard_all


async def test_a_follow_up_not_yet_recorded_is_waited_for_and_one_that_never_comes_ends_it() -> (
    None
):
    world = World()
    await world.store.save(operation("op_1", S.FAILED, continued_by="op_2"))
    stream = await world.stream("op_1")
    assert [item.kind.value async for item in _until_idle(stream)] == ["accepted", "settled"]

    await world.store.save(operation("op_2", S.SUCCEEDED))
    rest = [item async for item in stream if not isinstance(item, Idle)]
    assert [(e.kind.value, e.operation.id) for e in rest] == [
        ("accepted", "op_2"),
        ("settled", "op_2"),
    ]

    world.clock.advance(timedelta(minutes=5))  # its process died between the two
    await world.store.save(operation("op_3", S.FAILED, continued_by="op_4"))
    assert [e.kind.value for e in await world.events("op_3")] == ["accepted", "settled"]


async def test_every_status_change_is_heard_once_and_progress_only_while_it_runs() -> None:
    world = World()
    await world.store.save(operation("op_1", S.RESERVED))
    stream = await world.stream("op_1")
    assert [e.kind.value async for e in _until_idle(stream)] == ["accepted"]

    await world.store.save(operation("op_1", S.SUBMITTED))
    world.notes.tell("op_1", "processing")
    assert [(e.kind.value, e.detail) async for e in _until_idle(stream)] == [
        ("sent", None),
        ("progress", "processing"),
    ]
    await world.store.save(operation("op_1", S.SUBMITTED, provider_task_ids=("t1",)))
    world.notes.tell("op_1", "processing")  # the same word again is not news
    assert [(e.kind.value, str(e.id)) async for e in _until_idle(stream)] == [("sent", "0.1.1")]
    await world.store.save(operation("op_1", S.UNKNOWN, provider_task_ids=("t1",)))
    assert [e.kind.value async for e in _until_idle(stream)] == ["unknown"]
    await world.store.save(operation("op_1", S.SUCCEEDED, provider_task_ids=("t1",)))
    rest = [item async for item in stream]
    assert [e.kind.value for e in rest if not isinstance(e, Idle)] == ["settled"]


async def test_a_stream_that_waits_longer_than_allowed_ends_without_a_final_event() -> None:
    world = World(FollowTiming(poll_seconds=0.001, longest_seconds=0.05))
    await world.store.save(operation("op_1", S.SUBMITTED, provider_task_ids=("t1",)))

    heard = await world.events("op_1")

    assert [e.kind.value for e in heard] == ["accepted", "sent"]


async def test_another_users_operation_does_not_exist_and_a_foreign_id_is_refused() -> None:
    world = World()
    await world.store.save(operation("op_1", S.SUCCEEDED))

    others = await world.follow.execute("bob", "op_1")
    missing = await world.follow.execute("alice", "op_2")
    garbled = await world.follow.execute("alice", "op_1", "yesterday")

    assert isinstance(others, Failure) and isinstance(others.failure(), OperationNotFound)
    assert isinstance(missing, Failure) and isinstance(missing.failure(), OperationNotFound)
    assert isinstance(garbled, Failure) and isinstance(garbled.failure(), InvalidInput)


async def _until_idle(
    stream: AsyncIterator[OperationEvent | Idle],
) -> AsyncIterator[OperationEvent]:
    async for item in stream:
        if isinstance(item, Idle):
            return
        yield item
