"""What the provider said decides the money: failed releases, filtered releases, unknown holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from fakes import FLAT_PRICE, Crash, Fail, Filter, Succeed, Unknown, text_to_image

from imagestudio.domain.errors import (
    OutcomeUnknown,
    OutputFiltered,
    ProviderErrorKind,
    ProviderFailed,
)
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.quota import Counter
from imagestudio.domain.usage_record import Outcome

if TYPE_CHECKING:
    from conftest import Studio

GENERATION = QuotaCategory.IMAGE_GENERATION


# Definite failure.


async def test_a_provider_failure_is_returned_as_provider_failed(studio: Studio) -> None:
    studio.provider.script(Fail(ProviderErrorKind.MODERATION, "prompt refused"))

    error = (await studio.run.execute(text_to_image())).failure()

    assert error == ProviderFailed(
        provider="acme", kind=ProviderErrorKind.MODERATION, detail="prompt refused"
    )


async def test_when_every_call_fails_the_first_failure_is_returned(studio: Studio) -> None:
    studio.provider.script(Fail(detail="first"), Fail(detail="second"), Fail(detail="third"))

    error = (await studio.run.execute(text_to_image(outputs=3))).failure()

    assert isinstance(error, ProviderFailed)
    assert error.detail == "first"


async def test_a_provider_failure_releases_the_reservation(studio: Studio) -> None:
    studio.provider.script(Fail(), Fail())

    await studio.run.execute(text_to_image(outputs=2))

    assert await studio.spend("ada") == Counter(used=0, held=0)
    assert await studio.calls("ada", GENERATION) == Counter(used=0, held=0)
    await studio.assert_nothing_held("ada")
    await studio.assert_used_matches_ledger("ada")


async def test_a_provider_failure_is_recorded_at_no_cost_with_its_reason(studio: Studio) -> None:
    studio.provider.script(Fail(ProviderErrorKind.INVALID_INPUT, "bad size"))

    await studio.run.execute(text_to_image())

    [line] = await studio.lines("ada")
    assert line.outcome is Outcome.FAILED
    assert (line.user_charge, line.provider_cost, line.outputs) == (0, 0, 0)
    assert "bad size" in line.reason


async def test_a_provider_failure_marks_the_operation_failed(studio: Studio) -> None:
    studio.provider.script(Fail(detail="bad size"))

    await studio.run.execute(text_to_image())

    operation = await studio.only_operation()
    assert operation.status is OperationStatus.FAILED
    assert operation.error is not None
    assert "bad size" in operation.error
    assert operation.asset_ids == ()


# Filtered: the provider billed us, the user pays nothing.


async def test_a_filtered_output_is_returned_as_output_filtered(studio: Studio) -> None:
    studio.provider.script(Filter("nsfw flag"))

    error = (await studio.run.execute(text_to_image())).failure()

    assert error == OutputFiltered(provider="acme", detail="nsfw flag")


async def test_a_filtered_output_charges_the_user_nothing_and_keeps_the_provider_cost(
    studio: Studio,
) -> None:
    studio.provider.script(Filter())

    await studio.run.execute(text_to_image())

    [line] = await studio.lines("ada")
    assert line.outcome is Outcome.FILTERED
    assert line.user_charge == 0
    assert line.provider_cost == FLAT_PRICE
    assert line.outputs == 0


async def test_a_filtered_output_releases_the_reservation(studio: Studio) -> None:
    studio.provider.script(Filter())

    await studio.run.execute(text_to_image())

    assert await studio.spend("ada") == Counter(used=0, held=0)
    await studio.assert_nothing_held("ada")
    assert (await studio.only_operation()).status is OperationStatus.FAILED
    await studio.assert_used_matches_ledger("ada")


# Unknown: the submit may have been received, so the reservation stays held.


async def test_an_unknown_outcome_is_returned_as_outcome_unknown_with_the_task_id(
    studio: Studio,
) -> None:
    studio.provider.script(Unknown(task_id="task-42"))

    error = (await studio.run.execute(text_to_image())).failure()

    assert error == OutcomeUnknown(
        operation_id=studio.operations.saved_ids[0], provider="acme", provider_task_id="task-42"
    )


async def test_an_unknown_outcome_keeps_the_reservation_held(studio: Studio) -> None:
    studio.provider.script(Unknown())

    await studio.run.execute(text_to_image())

    assert await studio.spend("ada") == Counter(used=0, held=FLAT_PRICE)
    assert await studio.calls("ada", GENERATION) == Counter(used=0, held=1)
    assert await studio.counter("ada", "concurrency") == Counter(used=0, held=1)
    assert await studio.budget() == Counter(used=0, held=FLAT_PRICE)


async def test_an_unknown_outcome_writes_no_ledger_line_yet(studio: Studio) -> None:
    studio.provider.script(Unknown())

    await studio.run.execute(text_to_image())

    assert await studio.lines("ada") == ()
    await studio.assert_used_matches_ledger("ada")


async def test_an_unknown_outcome_marks_the_operation_unknown_keeping_the_task_id(
    studio: Studio,
) -> None:
    studio.provider.script(Unknown(task_id="task-42"))

    await studio.run.execute(text_to_image())

    operation = await studio.only_operation()
    assert operation.status is OperationStatus.UNKNOWN
    assert operation.provider_task_ids == ("task-42",)


async def test_one_unknown_variation_with_a_task_makes_the_whole_operation_unknown(
    studio: Studio,
) -> None:
    studio.provider.script(Succeed(), Unknown(task_id="task-2"))

    error = (await studio.run.execute(text_to_image(outputs=2))).failure()

    assert isinstance(error, OutcomeUnknown)
    assert await studio.spend("ada") == Counter(used=0, held=2 * FLAT_PRICE)
    assert await studio.lines("ada") == ()


async def test_delivered_variations_are_not_held_back_by_an_untraceable_one(
    studio: Studio,
) -> None:
    # The unknown call named no task: no lookup can ever say more about it, so waiting would
    # only keep the delivered output from its owner.
    studio.provider.script(Succeed(), Unknown(task_id=None))

    result = (await studio.run.execute(text_to_image(outputs=2))).unwrap()

    assert len(result.assets) == 1
    assert result.charged == FLAT_PRICE
    assert len(result.failed_outputs) == 1 and "never confirmed" in result.failed_outputs[0]
    line = await studio.line_of(result.operation.id)
    assert (line.outcome, line.user_charge, line.provider_cost) == (
        Outcome.SUCCEEDED,
        FLAT_PRICE,
        2 * FLAT_PRICE,  # the unconfirmed call may have been billed: ours, not the user's
    )
    assert result.operation.status is OperationStatus.SUCCEEDED
    await studio.assert_nothing_held("ada")
    await studio.assert_used_matches_ledger("ada")


# An adapter that raises instead of returning.


async def test_a_provider_raising_before_sending_is_a_definite_unavailable_failure(
    studio: Studio,
) -> None:
    studio.provider.script(Crash(after_sending=False, message="socket refused"))

    error = (await studio.run.execute(text_to_image())).failure()

    assert isinstance(error, ProviderFailed)
    assert error.kind is ProviderErrorKind.UNAVAILABLE
    assert "socket refused" in error.detail
    assert studio.provider.sent == 0


async def test_a_provider_raising_before_sending_releases_and_records_no_cost(
    studio: Studio,
) -> None:
    studio.provider.script(Crash(after_sending=False))

    await studio.run.execute(text_to_image())

    await studio.assert_nothing_held("ada")
    [line] = await studio.lines("ada")
    assert (line.outcome, line.user_charge, line.provider_cost) == (Outcome.FAILED, 0, 0)
    assert (await studio.only_operation()).status is OperationStatus.FAILED
    await studio.assert_used_matches_ledger("ada")


async def test_a_provider_raising_after_sending_is_an_unknown_outcome(studio: Studio) -> None:
    studio.provider.script(Crash(after_sending=True, message="connection reset"))

    error = (await studio.run.execute(text_to_image())).failure()

    assert isinstance(error, OutcomeUnknown)
    operation = await studio.only_operation()
    assert operation.status is OperationStatus.UNKNOWN
    assert operation.error is not None
    assert "connection reset" in operation.error


async def test_a_provider_raising_after_sending_keeps_the_reservation_held(
    studio: Studio,
) -> None:
    studio.provider.script(Crash(after_sending=True))

    await studio.run.execute(text_to_image())

    assert await studio.spend("ada") == Counter(used=0, held=FLAT_PRICE)
    assert await studio.lines("ada") == ()


@pytest.mark.parametrize(
    "kind",
    [ProviderErrorKind.AUTH, ProviderErrorKind.OUT_OF_CREDIT, ProviderErrorKind.RATE_LIMITED],
)
async def test_every_kind_of_provider_failure_releases(
    studio: Studio, kind: ProviderErrorKind
) -> None:
    studio.provider.script(Fail(kind))

    error = (await studio.run.execute(text_to_image())).failure()

    assert isinstance(error, ProviderFailed)
    assert error.kind is kind
    await studio.assert_nothing_held("ada")
