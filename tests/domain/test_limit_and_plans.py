"""Limits say unlimited explicitly (0 is a real zero); the reference plans keep their mapping."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imagestudio.domain.limit import UNLIMITED, Limit
from imagestudio.domain.money import usd_to_micros
from imagestudio.domain.operation_kind import QuotaCategory as C
from imagestudio.domain.plan import Plan
from imagestudio.domain.reference_plans import (
    BASIC,
    ENTERPRISE,
    FREE,
    LOCAL,
    PRO,
    REFERENCE_PLANS,
)

STABILITY = (C.IMAGE_GENERATION, C.UPSCALE, C.CONTROL)
WAVESPEED = (C.FACE_SWAP, C.IMAGE_TO_3D)


def test_a_zero_limit_admits_nothing_more() -> None:
    assert not Limit.of(0).admits(1)


def test_a_zero_limit_admits_zero() -> None:
    assert Limit.of(0).admits(0)


def test_a_zero_limit_is_not_unlimited() -> None:
    assert not Limit.of(0).is_unlimited


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**9))
def test_a_finite_limit_admits_exactly_totals_up_to_its_maximum(maximum: int, total: int) -> None:
    assert Limit.of(maximum).admits(total) == (total <= maximum)


@pytest.mark.parametrize("maximum", [-1, -1_000_000])
def test_a_negative_limit_is_refused(maximum: int) -> None:
    with pytest.raises(ValueError, match="negative"):
        Limit.of(maximum)


def test_none_is_not_a_way_to_say_unlimited() -> None:
    with pytest.raises(ValueError, match="unlimited"):
        Limit.of(None)  # type: ignore[arg-type]


@given(st.integers(min_value=0))
def test_unlimited_admits_anything(total: int) -> None:
    assert UNLIMITED.admits(total)
    assert Limit.unlimited().is_unlimited


def test_remaining_never_goes_below_zero() -> None:
    assert Limit.of(10).remaining(used=4, held=3) == 3
    assert Limit.of(10).remaining(used=8, held=5) == 0
    assert UNLIMITED.remaining(used=8, held=5) is None


def test_a_limit_prints_as_its_number_or_unlimited() -> None:
    assert str(Limit.of(0)) == "0"
    assert str(UNLIMITED) == "unlimited"


def test_the_reference_plans_are_free_basic_pro_enterprise_and_local() -> None:
    assert [plan.name for plan in REFERENCE_PLANS] == [
        "free",
        "basic",
        "pro",
        "enterprise",
        "local",
    ]


@pytest.mark.parametrize("plan", REFERENCE_PLANS, ids=lambda plan: plan.name)
def test_every_reference_plan_states_every_category_explicitly(plan: Plan) -> None:
    assert set(plan.calls) == set(C)


@pytest.mark.parametrize(
    ("plan", "generation", "edit", "wavespeed", "video"),
    [(FREE, 10, 5, 0, 2), (BASIC, 25, 25, 200, 10), (PRO, 100, 100, 500, 30)],
    ids=["free", "basic", "pro"],
)
def test_each_category_takes_the_counter_that_governed_it_in_the_reference(
    plan: Plan, generation: int, edit: int, wavespeed: int, video: int
) -> None:
    for category in STABILITY:
        assert plan.calls_limit(category) == Limit.of(generation)
    assert plan.calls_limit(C.IMAGE_EDIT) == Limit.of(edit)
    for category in WAVESPEED:
        assert plan.calls_limit(category) == Limit.of(wavespeed)
    assert plan.calls_limit(C.VIDEO) == Limit.of(video)


@pytest.mark.parametrize("category", WAVESPEED)
def test_free_disables_wavespeed_operations_rather_than_making_them_unlimited(
    category: C,
) -> None:
    assert not FREE.calls_limit(category).admits(1)


@pytest.mark.parametrize(
    ("plan", "spend_cap"),
    [(FREE, "2"), (BASIC, "25"), (PRO, "100"), (ENTERPRISE, "500")],
    ids=["free", "basic", "pro", "enterprise"],
)
def test_each_paid_tier_caps_its_spend_in_micro_dollars(plan: Plan, spend_cap: str) -> None:
    assert plan.spend_cap == Limit.of(usd_to_micros(spend_cap))


@pytest.mark.parametrize("category", list(C))
def test_enterprise_calls_are_unlimited(category: C) -> None:
    assert ENTERPRISE.calls_limit(category).is_unlimited


def test_enterprise_spend_is_still_capped_at_500_dollars() -> None:
    assert ENTERPRISE.spend_cap == Limit.of(500_000_000)


def test_local_is_unlimited_in_every_dimension() -> None:
    limits = [
        *LOCAL.calls.values(),
        LOCAL.spend_cap,
        LOCAL.requests_per_minute,
        LOCAL.concurrent_operations,
    ]

    assert all(limit.is_unlimited for limit in limits)


@pytest.mark.parametrize("plan", [FREE, BASIC, PRO, ENTERPRISE], ids=lambda plan: plan.name)
def test_every_hosted_plan_limits_its_rate_and_concurrency(plan: Plan) -> None:
    assert not plan.requests_per_minute.is_unlimited
    assert not plan.concurrent_operations.is_unlimited


def test_a_category_missing_from_a_plan_is_unlimited() -> None:
    plan = Plan(name="sparse", calls={C.VIDEO: Limit.of(1)})

    assert plan.calls_limit(C.IMAGE_GENERATION).is_unlimited
    assert plan.calls_limit(C.VIDEO) == Limit.of(1)
