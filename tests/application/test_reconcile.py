"""Reconciliation settles `unknown` operations from what the provider says, exactly once."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from fakes import (
    BATCH_PRICE,
    FLAT_PRICE,
    Block,
    Fail,
    Filter,
    Missing,
    Pending,
    Succeed,
    Unknown,
    png_bytes,
    text_to_image,
)
from returns.result import Success

from imagestudio.application.money_path.outputs import asset_id_for
from imagestudio.application.operation_ports import LeasePolicy
from imagestudio.application.operation_waits import WaitReason
from imagestudio.application.ports.provider import (
    ProviderJob,
    ProviderOutcome,
    SubmissionReport,
    SubmitUnknown,
)
from imagestudio.application.use_cases.reconcile import Reconcile
from imagestudio.domain.errors import OutcomeUnknown, ProviderErrorKind
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.usage_record import Outcome

if TYPE_CHECKING:
    from conftest import Studio, StudioFactory

G = QuotaCategory.IMAGE_GENERATION
WAIT = timedelta(minutes=10)


def reconciler(studio: Studio, holder: str = "reconciler") -> Reconcile:
    return Reconcile(
        studio.ports,
        studio.run,
        LeasePolicy(holder=holder, ttl=timedelta(seconds=30)),
        unresolved_after=WAIT,
        recheck_after=timedelta(seconds=30),
    )


async def left_unknown(studio: Studio, task_id: str | None = "task-1", **changes: object) -> str:
    studio.provider.script(Unknown(task_id=task_id))
    error = (await studio.run.execute(text_to_image(**changes))).failure()
    assert isinstance(error, OutcomeUnknown)
    # The process that sent it holds a lease until it stops renewing; then it is fair game.
    studio.clock.advance(timedelta(minutes=2))
    return error.operation_id


async def test_a_task_found_completed_is_fetched_stored_and_charged(studio: Studio) -> None:
    operation_id = await left_unknown(studio)
    studio.provider.tasks["task-1"] = Succeed()

    report = await reconciler(studio).execute()

    assert report.succeeded == (operation_id,)
    operation = await studio.operation(operation_id)
    assert operation.status is OperationStatus.SUCCEEDED
    assert operation.charged == FLAT_PRICE
    assert len(operation.asset_ids) == 1
    assert await studio.assets.load("ada", operation.asset_ids[0]) is not None
    line = await studio.line_of(operation_id)
    assert (line.outcome, line.user_charge, line.provider_cost) == (
        Outcome.SUCCEEDED,
        FLAT_PRICE,
        FLAT_PRICE,
    )
    assert studio.provider.sent == 1, "reconciliation never re-submits"
    await studio.assert_nothing_held("ada")
    await studio.assert_used_matches_ledger("ada")


async def test_a_task_found_failed_is_released_and_costs_nothing(studio: Studio) -> None:
    operation_id = await left_unknown(studio)
    studio.provider.tasks["task-1"] = Fail(ProviderErrorKind.UNAVAILABLE, "gpu fell over")

    report = await reconciler(studio).execute()

    assert report.failed == (operation_id,)
    assert (await studio.operation(operation_id)).status is OperationStatus.FAILED
    line = await studio.line_of(operation_id)
    assert (line.outcome, line.user_charge, line.provider_cost) == (Outcome.FAILED, 0, 0)
    await studio.assert_nothing_held("ada")
    assert (await studio.spend("ada")).used == 0


async def test_a_task_the_provider_no_longer_knows_keeps_its_price_as_a_possible_cost(
    studio: Studio,
) -> None:
    # The provider named the task, so "no such task" means its result expired: perhaps after
    # it completed and was billed (the soak found a $0.60 upscale released at no cost so).
    operation_id = await left_unknown(studio)
    studio.provider.tasks["task-1"] = Missing()

    report = await reconciler(studio).execute()

    assert report.unresolved == (operation_id,)
    operation = await studio.operation(operation_id)
    assert operation.status is OperationStatus.ABANDONED
    assert operation.error is not None and "no longer knows task(s) task-1" in operation.error
    line = await studio.line_of(operation_id)
    assert (line.outcome, line.user_charge, line.provider_cost, line.unconfirmed_cost) == (
        Outcome.UNKNOWN_UNRESOLVED,
        0,
        FLAT_PRICE,
        FLAT_PRICE,
    )
    assert line.provider_task_ids == ("task-1",)
    assert (await studio.spend("ada")).used == 0
    assert (await studio.budget()).used == FLAT_PRICE
    await studio.assert_nothing_held("ada")


async def test_a_gone_task_beside_a_completed_one_delivers_and_keeps_the_gone_price(
    studio: Studio,
) -> None:
    studio.provider.script(Unknown(task_id="task-a"), Unknown(task_id="task-b"))
    error = (await studio.run.execute(text_to_image(model_id="acme-batch", outputs=8))).failure()
    assert isinstance(error, OutcomeUnknown)
    studio.clock.advance(timedelta(minutes=2))
    studio.provider.tasks["task-a"] = Succeed()
    studio.provider.tasks["task-b"] = Missing()

    report = await reconciler(studio).execute()

    assert report.succeeded == (error.operation_id,)
    line = await studio.line_of(error.operation_id)
    assert (line.outputs, line.user_charge) == (4, 4 * BATCH_PRICE)
    assert (line.provider_cost, line.unconfirmed_cost) == (8 * BATCH_PRICE, 4 * BATCH_PRICE)
    await studio.assert_nothing_held("ada")
    await studio.assert_used_matches_ledger("ada")


async def test_a_filtered_task_costs_the_user_nothing_and_keeps_the_provider_cost(
    studio: Studio,
) -> None:
    operation_id = await left_unknown(studio)
    studio.provider.tasks["task-1"] = Filter("nsfw")

    report = await reconciler(studio).execute()

    assert report.failed == (operation_id,)
    line = await studio.line_of(operation_id)
    assert (line.outcome, line.user_charge, line.provider_cost) == (
        Outcome.FILTERED,
        0,
        FLAT_PRICE,
    )
    assert (await studio.budget()).used == FLAT_PRICE
    assert (await studio.spend("ada")).used == 0
    await studio.assert_nothing_held("ada")


async def test_a_task_still_running_stays_held_and_is_settled_on_a_later_pass(
    studio: Studio,
) -> None:
    operation_id = await left_unknown(studio)
    studio.provider.tasks["task-1"] = Pending()

    first = await reconciler(studio).execute()

    assert first.pending == (operation_id,)
    assert (await studio.operation(operation_id)).status is OperationStatus.UNKNOWN
    assert (await studio.spend("ada")).held == FLAT_PRICE
    assert await studio.ledger.for_operation(operation_id) is None
    # Taken again only once the first pass's lease ran out.
    assert (await reconciler(studio, "other").execute()).pending == ()
    studio.provider.tasks["task-1"] = Succeed()
    studio.clock.advance(timedelta(minutes=1))

    second = await reconciler(studio, "other").execute()

    assert second.succeeded == (operation_id,)
    await studio.assert_used_matches_ledger("ada")


async def test_without_a_task_id_it_waits_the_deadline_then_releases_as_unresolved(
    studio: Studio,
) -> None:
    operation_id = await left_unknown(studio, task_id=None)

    early = await reconciler(studio).execute()

    assert early.pending == (operation_id,)
    assert (await studio.spend("ada")).held == FLAT_PRICE
    studio.clock.advance(WAIT)

    late = await reconciler(studio).execute()

    assert late.unresolved == (operation_id,)
    operation = await studio.operation(operation_id)
    assert operation.status is OperationStatus.ABANDONED
    line = await studio.line_of(operation_id)
    assert (line.outcome, line.user_charge, line.provider_cost) == (
        Outcome.UNKNOWN_UNRESOLVED,
        0,
        FLAT_PRICE,
    )
    # The user is not charged; the operator's budget counts what the provider may have billed.
    assert (await studio.spend("ada")).used == 0
    assert (await studio.budget()).used == FLAT_PRICE
    await studio.assert_nothing_held("ada")
    assert studio.provider.lookups == []


async def test_an_idempotency_key_left_in_progress_replays_the_reconciled_outcome(
    studio: Studio,
) -> None:
    operation_id = await left_unknown(studio, idempotency_key="k-1")
    studio.provider.tasks["task-1"] = Succeed()
    await reconciler(studio).execute()

    replay = (await studio.run.execute(text_to_image(idempotency_key="k-1"))).unwrap()

    assert replay.operation.id == operation_id
    assert studio.provider.sent == 1


async def test_two_reconcilers_never_settle_the_same_operation(studio: Studio) -> None:
    operation_id = await left_unknown(studio)
    studio.provider.tasks["task-1"] = Succeed()

    first = await reconciler(studio, "one").execute()
    second = await reconciler(studio, "two").execute()

    assert first.succeeded == (operation_id,)
    assert second == type(second)()
    assert len(await studio.lines("ada")) == 1


async def test_an_operation_its_run_left_unknown_is_nobodys_and_reconciled_at_once(
    studio: Studio,
) -> None:
    # Leaving it `unknown` ends the run's lease in the same write: nobody else works on it.
    studio.provider.script(Unknown(task_id="task-1"))
    error = (await studio.run.execute(text_to_image())).failure()
    studio.provider.tasks["task-1"] = Succeed()

    report = await reconciler(studio).execute()

    assert isinstance(error, OutcomeUnknown)
    assert report.succeeded == (error.operation_id,)


async def test_a_running_operation_is_never_taken_by_a_reconciler(studio: Studio) -> None:
    blocked = Block()
    studio.provider.script(blocked)
    running = asyncio.create_task(studio.run.execute(text_to_image()))
    await blocked.entered.wait()

    report = await reconciler(studio).execute()

    assert (report.succeeded, report.failed, report.unresolved, report.pending) == ((),) * 4
    [running_one] = report.waiting  # and says why it is left alone
    assert running_one.wait is not None
    assert running_one.wait.reason is WaitReason.RUNNING
    blocked.release()
    assert isinstance(await running, Success)


async def test_a_multi_call_request_settles_each_call_by_its_own_task(studio: Studio) -> None:
    # 8 outputs of a 4-per-call model: two calls; one succeeded live, one was left unknown.
    studio.provider.script(Succeed(), Unknown(task_id="task-b"))
    error = (await studio.run.execute(text_to_image(model_id="acme-batch", outputs=8))).failure()
    assert isinstance(error, OutcomeUnknown)
    studio.clock.advance(timedelta(minutes=2))
    operation = await studio.operation(error.operation_id)
    assert len(operation.provider_task_ids) == 2
    first_task = next(t for t in operation.provider_task_ids if t != "task-b")
    studio.provider.tasks[first_task] = Succeed()
    studio.provider.tasks["task-b"] = Fail()

    report = await reconciler(studio).execute()

    assert report.succeeded == (operation.id,)
    line = await studio.line_of(operation.id)
    assert (line.outputs, line.user_charge) == (4, 4 * BATCH_PRICE)
    assert (await studio.calls("ada", G)).used == 4
    await studio.assert_nothing_held("ada")
    await studio.assert_used_matches_ledger("ada")


class AcceptThenWait:
    """A provider that names its task, then waits: the process could die right here."""

    name = "acme"

    def __init__(self) -> None:
        self.named = asyncio.Event()
        self.gate = asyncio.Event()

    async def run(self, job: ProviderJob, report: SubmissionReport) -> ProviderOutcome:  # noqa: ARG002
        await report.sending()
        await report.accepted("task-early")
        self.named.set()
        await self.gate.wait()
        return SubmitUnknown(task_id="task-early", detail="never answered")


async def test_a_task_id_is_stored_the_moment_the_provider_names_it(
    make_studio: StudioFactory,
) -> None:
    provider = AcceptThenWait()
    studio = make_studio(provider=provider)  # type: ignore[arg-type]
    running = asyncio.create_task(studio.run.execute(text_to_image()))
    await provider.named.wait()

    # A crash now would leave this for the sweeper and then reconciliation, with the id.
    operation = await studio.only_operation()
    assert operation.provider_task_ids == ("task-early",)
    assert operation.status is OperationStatus.SUBMITTED
    provider.gate.set()
    await running


async def test_outputs_stored_before_the_process_died_are_settled_as_they_are(
    studio: Studio,
) -> None:
    # A synchronous provider names no task: the process died after storing the output's bytes,
    # before settling. Nothing can be looked up, but the output is there: deliver and charge it.
    operation_id = await left_unknown(studio, task_id=None)
    operation = await studio.operation(operation_id)
    content = studio.assets.content
    data = png_bytes(256, 256)
    await content.put("ada", asset_id_for(operation_id, 0), MediaType.PNG, data)
    asked_before = len(studio.provider.jobs)

    report = await reconciler(studio).execute()

    assert report.succeeded == (operation_id,)
    assert len(studio.provider.jobs) == asked_before  # nothing sent again
    line = await studio.line_of(operation_id)
    assert (line.outcome, line.outputs, line.user_charge) == (Outcome.SUCCEEDED, 1, FLAT_PRICE)
    asset = await studio.assets.describe("ada", asset_id_for(operation_id, 0))
    assert asset is not None and asset.size_bytes == len(data)
    assert operation.reservation_id is not None
    await studio.assert_nothing_held("ada")
    await studio.assert_used_matches_ledger("ada")


async def test_outputs_stored_before_the_process_died_are_settled_as_they_are_with_a_task_id(
    studio: Studio,
) -> None:
    # The process died after storing the outputs of a task the provider named, before settling;
    # by the time reconciliation runs the provider no longer keeps the task's result. The
    # outputs are here, billed by the provider: deliver and charge them, never ask again.
    operation_id = await left_unknown(studio, task_id="task-1")
    data = png_bytes(256, 256)
    await studio.assets.content.put("ada", asset_id_for(operation_id, 0), MediaType.PNG, data)
    assert "task-1" not in studio.provider.tasks  # its result expired at the provider

    report = await reconciler(studio).execute()

    assert report.succeeded == (operation_id,)
    assert studio.provider.lookups == []  # nothing fetched again
    line = await studio.line_of(operation_id)
    assert (line.outcome, line.outputs, line.user_charge) == (Outcome.SUCCEEDED, 1, FLAT_PRICE)
    assert line.provider_task_ids == ("task-1",)
    asset = await studio.assets.describe("ada", asset_id_for(operation_id, 0))
    assert asset is not None and asset.size_bytes == len(data)
    await studio.assert_nothing_held("ada")
    await studio.assert_used_matches_ledger("ada")


class SettledBetweenReads:
    """The quota store of a reconciler that read the operation `unknown` just before another
    reconciler settled it: the reservation it reads next is closed already."""

    def __init__(self, studio: Studio, settle_first: Reconcile) -> None:
        self._quota = studio.ports.quota
        self._clock = studio.clock
        self._settle_first = settle_first

    def __getattr__(self, name: str) -> object:
        return getattr(self._quota, name)

    async def reservation(self, reservation_id: str) -> object:
        self._clock.advance(timedelta(minutes=1))  # this round outlasted its recheck lease
        await self._settle_first.execute()
        return await self._quota.reservation(reservation_id)  # type: ignore[attr-defined]


async def test_an_operation_settled_between_a_reconcilers_two_reads_is_left_quietly(
    studio: Studio, caplog: pytest.LogCaptureFixture
) -> None:
    # Two servers' reconcilers take one operation when a round outlasts the recheck lease; the
    # late one found the reservation closed and cried for an operator (soak log) though the
    # other had just settled it.
    operation_id = await left_unknown(studio)
    studio.provider.tasks["task-1"] = Succeed()
    first = reconciler(studio, "one")
    late_ports = replace(studio.ports, quota=SettledBetweenReads(studio, first))
    late = Reconcile(late_ports, studio.run, LeasePolicy(holder="two"), unresolved_after=WAIT)

    with caplog.at_level(logging.WARNING):
        report = await late.execute()

    assert (report.succeeded, report.failed, report.unresolved, report.pending) == ((),) * 4
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert (await studio.operation(operation_id)).status is OperationStatus.SUCCEEDED
    assert len(await studio.lines("ada")) == 1


async def test_a_round_that_outlasts_its_lease_leaves_the_rest_for_a_later_round(
    studio: Studio, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another reconciler may take what this one still holds once the lease has run out: this
    # one stops asking the provider instead of asking twice about the same tasks.
    first = await left_unknown(studio, task_id="task-1")
    second = await left_unknown(studio, task_id="task-2")
    studio.provider.tasks.update({"task-1": Succeed(), "task-2": Succeed()})
    slow_lookup = studio.provider.lookup

    async def outlasting(job: ProviderJob, task_id: str) -> object:
        studio.clock.advance(timedelta(seconds=31))  # beyond the round's 30 s lease
        return await slow_lookup(job, task_id)

    monkeypatch.setattr(studio.provider, "lookup", outlasting)
    report = await reconciler(studio).execute()

    assert len(studio.provider.lookups) == 1
    [done] = report.succeeded
    [left] = {first, second} - {done}
    assert (await studio.operation(left)).status is OperationStatus.UNKNOWN
    later = await reconciler(studio).execute()
    assert later.succeeded == (left,)
    await studio.assert_nothing_held("ada")
