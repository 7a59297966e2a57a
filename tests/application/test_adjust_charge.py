"""Adjustments: a refund or correction is a ledger line of its own, and moves spend with it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest
from fakes import FLAT_PRICE, NOW, PERIOD, text_to_image
from returns.result import Failure, Success

from imagestudio.adapters.system.ids import SequentialIdGenerator
from imagestudio.application.money_path.settle import Settle
from imagestudio.application.use_cases.adjust_charge import AdjustCharge, Adjustment
from imagestudio.domain.billing_period import BillingAnchor
from imagestudio.domain.errors import InvalidInput, RefundTooLarge, UnknownUser
from imagestudio.domain.money import MAX_ADJUSTMENT, MAX_MICROS, MAX_SPEND
from imagestudio.domain.plan import Plan
from imagestudio.domain.usage_record import Outcome

if TYPE_CHECKING:
    from conftest import Studio


def adjust(studio: Studio) -> AdjustCharge:
    settle = Settle(studio.ports.unit_of_work)
    return AdjustCharge(studio.quota, settle, SequentialIdGenerator(), studio.clock)


def refund(amount: int, user_id: str = "ada", reason: str = "blurry output") -> Adjustment:
    return Adjustment(user_id=user_id, amount=-amount, reason=reason)


@pytest.fixture
async def charged(studio: Studio) -> Studio:
    """Ada has been charged for one generation this period."""
    assert isinstance(await studio.run.execute(text_to_image("ada")), Success)
    return studio


async def test_a_refund_is_a_line_of_its_own_in_the_current_period(charged: Studio) -> None:
    done = (await adjust(charged).execute(refund(FLAT_PRICE // 4))).unwrap()

    line = done.line
    assert line.operation_id.startswith("adj_")
    assert (line.outcome, line.user_charge, line.provider_cost) == (
        Outcome.ADJUSTMENT,
        -(FLAT_PRICE // 4),
        0,
    )
    assert (line.kind, line.billing_period, line.reason) == (None, PERIOD, "blurry output")
    assert [line.outcome for line in await charged.lines("ada")] == [
        Outcome.SUCCEEDED,
        Outcome.ADJUSTMENT,
    ]


async def test_a_refund_lowers_spend_by_the_same_amount(charged: Studio) -> None:
    done = (await adjust(charged).execute(refund(FLAT_PRICE // 4))).unwrap()

    assert done.spend.used == FLAT_PRICE - FLAT_PRICE // 4
    assert (await charged.spend("ada")).used == done.spend.used
    await charged.assert_used_matches_ledger("ada")


async def test_the_operations_own_line_is_never_edited(charged: Studio) -> None:
    (before,) = await charged.lines("ada")

    await adjust(charged).execute(refund(FLAT_PRICE))

    assert await charged.line_of(before.operation_id) == before


async def test_a_refund_beyond_what_was_charged_is_refused_and_writes_nothing(
    charged: Studio,
) -> None:
    result = await adjust(charged).execute(refund(FLAT_PRICE + 1))

    assert result == Failure(
        RefundTooLarge(user_id="ada", period=PERIOD, used=FLAT_PRICE, refund=FLAT_PRICE + 1)
    )
    assert len(await charged.lines("ada")) == 1
    assert (await charged.spend("ada")).used == FLAT_PRICE


async def test_a_correction_upwards_raises_spend(charged: Studio) -> None:
    done = await adjust(charged).execute(
        Adjustment(user_id="ada", amount=5_000, reason="missed charge")
    )

    assert done.unwrap().spend.used == FLAT_PRICE + 5_000
    await charged.assert_used_matches_ledger("ada")


async def test_the_period_is_the_users_own_billing_period(studio: Studio) -> None:
    await studio.quota.define_plan(Plan(name="mid-month", anchor=BillingAnchor(15)))
    await studio.quota.assign("zoe", "mid-month")
    await studio.quota.adjust_spend("zoe", "2026-11-15", 10_000)

    done = (await adjust(studio).execute(refund(10_000, "zoe"))).unwrap()

    assert NOW.day >= 15 and done.line.billing_period == "2026-11-15"


@pytest.mark.parametrize(
    ("adjustment", "field"),
    [
        (Adjustment(user_id="ada", amount=0, reason="nothing"), "amount"),
        (Adjustment(user_id="ada", amount=-1, reason="  "), "reason"),
    ],
)
async def test_an_empty_adjustment_is_refused(
    charged: Studio, adjustment: Adjustment, field: str
) -> None:
    result = await adjust(charged).execute(adjustment)

    assert isinstance(result, Failure)
    assert isinstance(result.failure(), InvalidInput) and result.failure().field == field
    assert len(await charged.lines("ada")) == 1


async def test_adjusting_an_unknown_users_charge_is_refused(studio: Studio) -> None:
    result = await adjust(studio).execute(replace(refund(1), user_id="nobody"))

    assert result == Failure(UnknownUser("nobody"))


async def test_no_adjustment_moves_more_than_the_bound_and_nothing_is_written(
    charged: Studio,
) -> None:
    before = await charged.lines("ada")
    for amount in (MAX_ADJUSTMENT + 1, -(MAX_ADJUSTMENT + 1), MAX_MICROS, -MAX_MICROS):
        refused = await adjust(charged).execute(
            Adjustment(user_id="ada", amount=amount, reason="typo")
        )
        assert isinstance(refused, Failure)
        assert isinstance(refused.failure(), InvalidInput)
        assert refused.failure().field == "amount"
    assert await charged.lines("ada") == before


async def test_adjustments_stop_short_of_what_a_spend_counter_holds(charged: Studio) -> None:
    """However many corrections are made, the spend never passes MAX_SPEND (a 64-bit counter
    once overflowed into a float on SQLite, and every read of the user's usage failed)."""
    use_case = adjust(charged)
    whole = Adjustment(user_id="ada", amount=MAX_ADJUSTMENT, reason="correction")
    spend = FLAT_PRICE
    while spend + MAX_ADJUSTMENT <= MAX_SPEND:
        spend = (await use_case.execute(whole)).unwrap().spend.used
    refused = await use_case.execute(whole)

    assert isinstance(refused, Failure) and refused.failure().field == "amount"
    assert spend <= MAX_SPEND < MAX_MICROS
    remaining = MAX_SPEND - spend
    assert (
        await use_case.execute(replace(whole, amount=remaining))
    ).unwrap().spend.used == MAX_SPEND
