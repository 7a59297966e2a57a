"""Each ledger line names the provider's task ids of its calls, and how much of its provider
cost the provider never confirmed: what the audit against the provider's book matches by."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from fakes import FLAT_PRICE, Fail, Succeed, Unknown, text_to_image
from returns.result import Failure

from imagestudio.application.operation_ports import LeasePolicy
from imagestudio.application.use_cases.reconcile import Reconcile
from imagestudio.domain.usage_record import Outcome

if TYPE_CHECKING:
    from conftest import Studio

WAIT = timedelta(minutes=10)


def reconciler(studio: Studio) -> Reconcile:
    return Reconcile(
        studio.ports,
        studio.run,
        LeasePolicy(holder="reconciler", ttl=timedelta(seconds=30)),
        unresolved_after=WAIT,
        recheck_after=timedelta(seconds=30),
    )


async def test_a_line_names_the_task_of_every_call_in_order(studio: Studio) -> None:
    studio.provider.script(Succeed(), Fail())

    result = (await studio.run.execute(text_to_image(outputs=2))).unwrap()

    line = await studio.line_of(result.operation.id)
    assert line.provider_task_ids == result.operation.provider_task_ids
    assert sorted(line.provider_task_ids) == ["acme-task-1", "acme-task-2"]
    assert line.unconfirmed_cost == 0


async def test_a_call_never_confirmed_adds_no_id_and_its_price_is_unconfirmed(
    studio: Studio,
) -> None:
    studio.provider.script(Succeed(), Unknown(task_id=None))

    result = (await studio.run.execute(text_to_image(outputs=2))).unwrap()

    line = await studio.line_of(result.operation.id)
    assert len(line.provider_task_ids) == 1
    assert (line.provider_cost, line.unconfirmed_cost) == (2 * FLAT_PRICE, FLAT_PRICE)


async def test_a_reconciled_line_names_the_task_it_was_found_by(studio: Studio) -> None:
    studio.provider.script(Unknown(task_id="task-9"))
    operation_id = (await studio.run.execute(text_to_image())).failure().operation_id
    studio.provider.tasks["task-9"] = Succeed()
    studio.clock.advance(timedelta(minutes=2))  # the sending process's lease runs out

    await reconciler(studio).execute()

    line = await studio.line_of(operation_id)
    assert (line.outcome, line.provider_task_ids, line.unconfirmed_cost) == (
        Outcome.SUCCEEDED,
        ("task-9",),
        0,
    )


async def test_an_unresolved_line_names_no_task_and_its_whole_cost_is_unconfirmed(
    studio: Studio,
) -> None:
    studio.provider.script(Unknown(task_id=None))
    failed = await studio.run.execute(text_to_image())
    assert isinstance(failed, Failure)
    studio.clock.advance(WAIT)

    await reconciler(studio).execute()

    line = await studio.line_of(failed.failure().operation_id)
    assert (line.outcome, line.provider_task_ids) == (Outcome.UNKNOWN_UNRESOLVED, ())
    assert line.unconfirmed_cost == line.provider_cost == FLAT_PRICE
