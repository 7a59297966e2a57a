"""Exporting usage: the ledger's lines over a span, operations and adjustments alike."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest
from fakes import NOW, text_to_image
from returns.result import Failure

from imagestudio.adapters.system.ids import SequentialIdGenerator
from imagestudio.application.money_path.settle import Settle
from imagestudio.application.use_cases.adjust_charge import AdjustCharge, Adjustment
from imagestudio.application.use_cases.export_usage import ExportUsage, UsageExport
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.usage_record import Outcome

if TYPE_CHECKING:
    from conftest import Studio


async def test_the_export_has_operations_and_adjustments_in_order(studio: Studio) -> None:
    await studio.run.execute(text_to_image("ada"))
    studio.clock.advance(timedelta(minutes=1))
    adjust = AdjustCharge(
        studio.quota,
        Settle(studio.ports.unit_of_work),
        SequentialIdGenerator(),
        studio.clock,
    )
    await adjust.execute(Adjustment(user_id="ada", amount=-1, reason="sorry"))

    lines = (
        await ExportUsage(studio.ledger, studio.clock).execute(UsageExport(since=NOW))
    ).unwrap()

    assert [line.outcome for line in lines] == [Outcome.SUCCEEDED, Outcome.ADJUSTMENT]


async def test_the_export_of_one_user_leaves_out_the_others(studio: Studio) -> None:
    await studio.run.execute(text_to_image("ada"))
    await studio.run.execute(text_to_image("bob"))

    lines = await ExportUsage(studio.ledger, studio.clock).execute(
        UsageExport(since=NOW, user_id="bob")
    )

    assert [line.user_id for line in lines.unwrap()] == ["bob"]


async def test_a_span_that_ends_before_it_starts_is_refused(studio: Studio) -> None:
    result = await ExportUsage(studio.ledger, studio.clock).execute(
        UsageExport(since=NOW, until=NOW - timedelta(days=1))
    )

    assert isinstance(result, Failure)
    assert isinstance(result.failure(), InvalidInput) and result.failure().field == "until"


async def test_a_time_without_a_timezone_is_refused(studio: Studio) -> None:
    result = await ExportUsage(studio.ledger, studio.clock).execute(
        UsageExport(since=NOW.replace(tzinfo=None))
    )

    assert isinstance(result, Failure)


async def test_a_span_open_to_now_that_starts_after_now_is_refused(studio: Studio) -> None:
    # A mistyped year (2062 for 2026) read as "nothing happened then": an empty export.
    export = ExportUsage(studio.ledger, studio.clock)

    result = await export.execute(UsageExport(since=NOW + timedelta(days=365)))

    assert isinstance(result, Failure)
    assert isinstance(result.failure(), InvalidInput) and result.failure().field == "since"
    assert "is after now" in result.failure().reason
    assert (await export.execute(UsageExport(since=NOW))).unwrap() == ()


@pytest.mark.parametrize(
    "span",
    [
        {"since": datetime(1, 1, 1, 1, tzinfo=timezone(timedelta(hours=5)))},
        {"since": NOW, "until": datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5)))},
    ],
    ids=["since", "until"],
)
async def test_a_time_with_no_utc_time_is_refused_by_name(
    studio: Studio, span: dict[str, datetime]
) -> None:
    result = await ExportUsage(studio.ledger, studio.clock).execute(UsageExport(**span))

    assert isinstance(result, Failure)
    [field] = [name for name in span if name != "since"] or ["since"]
    assert isinstance(result.failure(), InvalidInput) and result.failure().field == field
