"""The sweeper settles what a dead process left behind, and never touches a live operation."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from fakes import FLAT_PRICE, NOW, Block, text_to_image
from returns.result import Failure

from imagestudio.application.ports.idempotency import Replay
from imagestudio.application.use_cases.sweep import SweepAbandoned
from imagestudio.domain.errors import Cancelled, OutcomeUnknown
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.quota import ReservationRequest
from imagestudio.domain.usage_record import Outcome

if TYPE_CHECKING:
    from conftest import Studio

LEASE = timedelta(seconds=60)
LATER = timedelta(minutes=5)


async def left_by_a_dead_process(
    studio: Studio, status: OperationStatus, *, reserved: bool = True, key: str | None = None
) -> ImageOperation:
    """An operation whose process died in `status`, its lease run out."""
    operation = ImageOperation(
        id="op_dead",
        user_id="ada",
        kind=OperationKind.TEXT_TO_IMAGE,
        model_id="acme-flat",
        provider="acme",
        prompt="x",
        input_digests=(),
        parameters={},
        outputs_requested=1,
        created_at=NOW,
        updated_at=NOW,
        reservation_id="res_dead",
        status=status,
        idempotency_key=key,
    )
    if reserved:
        request = ReservationRequest(
            user_id="ada",
            category=operation.kind.category,
            outputs=1,
            amount=FLAT_PRICE,
            provider="acme",
            at=NOW,
        )
        async with studio.ports.unit_of_work.begin() as unit:
            (await unit.quota.reserve("res_dead", request)).unwrap()
            await unit.commit()
    await studio.ports.operations.save(operation)
    await studio.ports.leases.hold(operation.id, "dead-worker", NOW + LEASE)
    if key is not None:
        await studio.keys.claim("ada", key, "hash", NOW)
    return operation


def sweeper(studio: Studio) -> SweepAbandoned:
    return SweepAbandoned(studio.ports)


async def test_a_reserved_operation_of_a_dead_process_is_released_and_abandoned(
    studio: Studio,
) -> None:
    await left_by_a_dead_process(studio, OperationStatus.RESERVED)
    studio.clock.advance(LATER)

    report = await sweeper(studio).execute()

    assert report.abandoned == ("op_dead",)
    assert (await studio.operation("op_dead")).status is OperationStatus.ABANDONED
    line = await studio.line_of("op_dead")
    assert (line.outcome, line.user_charge, line.provider_cost) == (Outcome.ABANDONED, 0, 0)
    await studio.assert_nothing_held("ada")
    await studio.assert_used_matches_ledger("ada")


async def test_an_operation_that_died_between_reserving_and_recording_it_is_released(
    studio: Studio,
) -> None:
    await left_by_a_dead_process(studio, OperationStatus.REQUESTED)
    studio.clock.advance(LATER)

    report = await sweeper(studio).execute()

    assert report.abandoned == ("op_dead",)
    assert (await studio.operation("op_dead")).status is OperationStatus.ABANDONED
    await studio.assert_nothing_held("ada")


async def test_an_operation_that_died_before_its_reservation_was_granted_just_fails(
    studio: Studio,
) -> None:
    await left_by_a_dead_process(studio, OperationStatus.REQUESTED, reserved=False)
    studio.clock.advance(LATER)

    report = await sweeper(studio).execute()

    assert report.failed == ("op_dead",)
    assert (await studio.operation("op_dead")).status is OperationStatus.FAILED
    assert await studio.ledger.for_operation("op_dead") is None


async def test_a_sent_operation_of_a_dead_process_stays_held_for_reconciliation(
    studio: Studio,
) -> None:
    await left_by_a_dead_process(studio, OperationStatus.SUBMITTED)
    studio.clock.advance(LATER)

    report = await sweeper(studio).execute()

    assert report.unknown == ("op_dead",)
    assert (await studio.operation("op_dead")).status is OperationStatus.UNKNOWN
    assert (await studio.spend("ada")).held == FLAT_PRICE
    assert await studio.ledger.for_operation("op_dead") is None


async def test_a_live_operation_is_never_swept(studio: Studio) -> None:
    await left_by_a_dead_process(studio, OperationStatus.RESERVED)
    studio.clock.advance(LEASE - timedelta(seconds=1))

    report = await sweeper(studio).execute()

    assert report == replace(report, abandoned=(), unknown=(), failed=())
    assert (await studio.operation("op_dead")).status is OperationStatus.RESERVED


async def test_a_renewed_lease_keeps_the_operation_alive(studio: Studio) -> None:
    await left_by_a_dead_process(studio, OperationStatus.RESERVED)
    studio.clock.advance(LATER)
    await studio.ports.leases.hold("op_dead", "alive-after-all", studio.clock.now() + LEASE)

    assert (await sweeper(studio).execute()).abandoned == ()


async def test_two_sweepers_settle_an_operation_once(studio: Studio) -> None:
    await left_by_a_dead_process(studio, OperationStatus.RESERVED)
    studio.clock.advance(LATER)

    first, second = await asyncio.gather(sweeper(studio).execute(), sweeper(studio).execute())

    assert sorted(first.abandoned + second.abandoned) == ["op_dead"]
    assert len(await studio.lines("ada")) == 1


async def test_the_key_of_an_abandoned_operation_answers_that_outcome(studio: Studio) -> None:
    await left_by_a_dead_process(studio, OperationStatus.RESERVED, key="k-1")
    studio.clock.advance(LATER)

    await sweeper(studio).execute()

    claim = await studio.keys.claim("ada", "k-1", "hash", studio.clock.now())
    assert claim == Replay(Failure(Cancelled("op_dead", abandoned=True)))
    assert "abandoned before it was sent" in Cancelled("op_dead", abandoned=True).message


async def test_a_finished_operation_is_never_swept(
    studio: Studio,
) -> None:
    result = await studio.run.execute(text_to_image())
    operation = result.unwrap().operation
    studio.clock.advance(LATER)

    report = await sweeper(studio).execute()

    assert (
        operation.id not in report.abandoned + report.unknown + report.failed
    )  # finished ones stay


async def test_a_stalled_process_that_wakes_after_the_sweep_changes_nothing(studio: Studio) -> None:
    blocked = Block()
    studio.provider.script(blocked)
    task = asyncio.create_task(studio.run.execute(text_to_image()))
    await blocked.entered.wait()  # reserved, about to send: then the process stalls
    studio.clock.advance(LATER)
    swept = await sweeper(studio).execute()

    blocked.gate.set()  # it wakes up, sends, and the provider answers
    result = await task

    assert len(swept.abandoned) == 1
    assert isinstance(result.failure(), OutcomeUnknown)
    assert (await studio.operation(swept.abandoned[0])).status is OperationStatus.ABANDONED
    assert len(await studio.lines("ada")) == 1
    await studio.assert_nothing_held("ada")
    await studio.assert_used_matches_ledger("ada")
