"""The reservation rule: every dimension must take its demand; a refusal names whose limit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from imagestudio.domain.billing_period import BillingAnchor
from imagestudio.domain.errors import OperatorBudgetExhausted, QuotaExceeded, RateLimited
from imagestudio.domain.limit import UNLIMITED, Limit
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import OperatorBudget, Plan
from imagestudio.domain.quota import (
    BUDGET,
    CONCURRENCY,
    LIVE,
    SPEND,
    Counter,
    Demand,
    DimensionKey,
    ReservationRequest,
    Scope,
    Settlement,
    calls_dimension,
    demands_for,
    refusal,
    settled_amount,
)

AT = datetime(2025, 3, 20, 12, tzinfo=UTC)
MARCH_END = datetime(2025, 4, 1, tzinfo=UTC)
GENERATION = QuotaCategory.IMAGE_GENERATION
PLAN = Plan(
    name="small",
    calls={GENERATION: Limit.of(10)},
    spend_cap=Limit.of(1_000_000),
    concurrent_operations=Limit.of(2),
)
BUDGET_AT_ACME = OperatorBudget(provider="acme", monthly=Limit.of(50_000_000))

CALLS_KEY = DimensionKey(Scope.USER, "ada", "calls:image-generation", "2025-03-01")
SPEND_KEY = DimensionKey(Scope.USER, "ada", SPEND, "2025-03-01")
CONCURRENCY_KEY = DimensionKey(Scope.USER, "ada", CONCURRENCY, LIVE)
BUDGET_KEY = DimensionKey(Scope.OPERATOR, "acme", BUDGET, "2025-03-01")


def request(*, outputs: int = 2, amount: int = 80_000, at: datetime = AT) -> ReservationRequest:
    return ReservationRequest(
        user_id="ada", category=GENERATION, outputs=outputs, amount=amount, provider="acme", at=at
    )


def demands(plan: Plan = PLAN, **changes: int) -> tuple[Demand, ...]:
    return demands_for(request(**changes), plan, BUDGET_AT_ACME)


def demand_on(key: DimensionKey, *, amount: int = 80_000) -> Demand:
    return Demand(key=key, limit=Limit.of(100_000), amount=amount, resets_at=MARCH_END)


def test_a_reservation_demands_calls_spend_concurrency_and_the_operator_budget() -> None:
    assert [demand.key for demand in demands()] == [
        CALLS_KEY,
        SPEND_KEY,
        CONCURRENCY_KEY,
        BUDGET_KEY,
    ]


def test_each_demand_asks_outputs_of_calls_money_of_spend_and_budget_one_of_concurrency() -> None:
    assert [demand.amount for demand in demands()] == [2, 80_000, 1, 80_000]


def test_each_demand_carries_the_plans_limit_for_its_dimension() -> None:
    limits = [demand.limit for demand in demands()]

    assert limits == [Limit.of(10), Limit.of(1_000_000), Limit.of(2), Limit.of(50_000_000)]


def test_a_provider_without_an_operator_budget_adds_no_budget_demand() -> None:
    names = [demand.key.name for demand in demands_for(request(), PLAN, None)]

    assert names == [calls_dimension(GENERATION), SPEND, CONCURRENCY]


def test_a_category_the_plan_does_not_name_is_demanded_against_unlimited() -> None:
    other = ReservationRequest(
        user_id="ada",
        category=QuotaCategory.VIDEO,
        outputs=1,
        amount=0,
        provider="acme",
        at=AT,
    )

    calls = demands_for(other, PLAN, None)[0]

    assert calls.key.name == "calls:video"
    assert calls.limit == UNLIMITED


def test_per_period_demands_reset_at_the_end_of_the_period_and_concurrency_never() -> None:
    assert [demand.resets_at for demand in demands()] == [MARCH_END, MARCH_END, None, MARCH_END]


def test_user_dimensions_follow_the_plans_anchor() -> None:
    anchored = Plan(name="anchored", anchor=BillingAnchor(15))

    spend = demands(anchored)[1]

    assert spend.key.period == "2025-03-15"
    assert spend.resets_at == datetime(2025, 4, 15, tzinfo=UTC)


def test_the_operator_budget_follows_the_calendar_month_whatever_the_users_anchor() -> None:
    anchored = Plan(name="anchored", anchor=BillingAnchor(15))

    budget = demands(anchored)[3]

    assert budget.key.period == "2025-03-01"
    assert budget.resets_at == MARCH_END


def test_nothing_is_refused_when_every_dimension_has_room() -> None:
    assert refusal(demands(), {}) is None


def test_a_demand_that_fills_a_limit_exactly_is_granted() -> None:
    counters = {SPEND_KEY: Counter(used=900_000, held=20_000)}

    assert refusal(demands(), counters) is None


def test_a_call_limit_refusal_names_the_dimension_and_its_numbers() -> None:
    counters = {CALLS_KEY: Counter(used=6, held=3)}

    assert refusal(demands(), counters) == QuotaExceeded(
        user_id="ada",
        limit_name="calls:image-generation",
        used=6,
        held=3,
        limit=10,
        requested=2,
        resets_at=MARCH_END,
    )


def test_a_spend_cap_refusal_is_a_quota_exceeded_on_spend() -> None:
    counters = {SPEND_KEY: Counter(used=900_000, held=20_001)}

    refused = refusal(demands(), counters)

    assert refused == QuotaExceeded(
        user_id="ada",
        limit_name=SPEND,
        used=900_000,
        held=20_001,
        limit=1_000_000,
        requested=80_000,
        resets_at=MARCH_END,
    )
    assert refused.is_money


def test_the_refusal_names_the_first_failing_dimension() -> None:
    counters = {
        SPEND_KEY: Counter(used=1_000_000),
        CONCURRENCY_KEY: Counter(held=2),
        BUDGET_KEY: Counter(used=50_000_000),
    }

    refused = refusal(demands(), counters)

    assert isinstance(refused, QuotaExceeded)
    assert refused.limit_name == SPEND


def test_an_exhausted_operator_budget_is_not_the_users_quota() -> None:
    counters = {BUDGET_KEY: Counter(used=49_950_000, held=0)}

    assert refusal(demands(), counters) == OperatorBudgetExhausted(
        provider="acme",
        used=49_950_000,
        held=0,
        limit=50_000_000,
        requested=80_000,
        resets_at=MARCH_END,
    )


def test_too_many_concurrent_operations_is_a_rate_limit() -> None:
    counters = {CONCURRENCY_KEY: Counter(held=2)}

    assert refusal(demands(), counters) == RateLimited(
        user_id="ada", limit_name="concurrent operations", limit=2, retry_after_seconds=1
    )


def test_a_zero_limit_refuses_the_first_call() -> None:
    disabled = Plan(name="disabled", calls={GENERATION: Limit.of(0)})

    refused = refusal(demands(disabled), {})

    assert isinstance(refused, QuotaExceeded)
    assert (refused.limit, refused.used, refused.held, refused.requested) == (0, 0, 0, 2)


def test_a_limit_lowered_below_use_refuses_even_a_free_request() -> None:
    counters = {SPEND_KEY: Counter(used=1_200_000)}

    refused = refusal(demands(amount=0), counters)

    assert isinstance(refused, QuotaExceeded)
    assert refused.limit_name == SPEND


def test_a_commit_moves_the_actual_outputs_into_calls() -> None:
    assert settled_amount(demand_on(CALLS_KEY, amount=4), Settlement(outputs=3, amount=0)) == 3


def test_a_commit_moves_the_actual_cost_into_spend() -> None:
    assert settled_amount(demand_on(SPEND_KEY), Settlement(outputs=1, amount=60_000)) == 60_000


def test_a_commit_moves_the_actual_cost_into_the_operator_budget() -> None:
    assert settled_amount(demand_on(BUDGET_KEY), Settlement(outputs=1, amount=60_000)) == 60_000


def test_a_commit_moves_nothing_into_concurrency() -> None:
    assert (
        settled_amount(demand_on(CONCURRENCY_KEY, amount=1), Settlement(outputs=1, amount=5)) == 0
    )


def test_a_commit_moves_what_the_provider_billed_into_the_operator_budget() -> None:
    settlement = Settlement(outputs=1, amount=0, provider_cost=60_000)

    assert settled_amount(demand_on(BUDGET_KEY), settlement) == 60_000


def test_what_the_provider_billed_is_not_charged_to_the_user() -> None:
    settlement = Settlement(outputs=1, amount=0, provider_cost=60_000)

    assert settled_amount(demand_on(SPEND_KEY), settlement) == 0


def test_the_provider_is_taken_to_bill_what_the_user_is_charged_unless_told() -> None:
    assert Settlement(outputs=1, amount=60_000).billed == 60_000


def test_committing_more_than_the_reserve_to_the_operator_budget_is_refused() -> None:
    settlement = Settlement(outputs=1, amount=0, provider_cost=80_001)

    with pytest.raises(ValueError, match="budget"):
        settled_amount(demand_on(BUDGET_KEY), settlement)


@pytest.mark.parametrize(
    "parts",
    [
        {"outputs": -1, "amount": 0},
        {"outputs": 1, "amount": -1},
        {"outputs": 1, "amount": 0, "provider_cost": -1},
    ],
)
def test_a_negative_settlement_is_refused(parts: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="negative"):
        Settlement(**parts)


@pytest.mark.parametrize(("outputs", "amount"), [(0, 80_000), (2, -1)])
def test_a_reservation_request_needs_an_output_and_a_non_negative_amount(
    outputs: int, amount: int
) -> None:
    with pytest.raises(ValueError, match="outputs >= 1 and amount >= 0"):
        request(outputs=outputs, amount=amount)


def test_committing_more_money_than_reserved_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot commit 80001"):
        settled_amount(demand_on(SPEND_KEY), Settlement(outputs=1, amount=80_001))


def test_committing_more_outputs_than_reserved_is_refused() -> None:
    with pytest.raises(ValueError, match="calls:image-generation"):
        settled_amount(demand_on(CALLS_KEY, amount=2), Settlement(outputs=3, amount=0))


def test_a_quota_refusal_message_says_whose_limit_and_when_it_clears() -> None:
    refused = refusal(demands(), {SPEND_KEY: Counter(used=1_000_000)})

    assert refused is not None
    assert "your plan's spend limit" in refused.message
    assert "$1.00" in refused.message
    assert MARCH_END.isoformat() in refused.message


def test_an_operator_budget_message_says_it_is_not_the_users_quota() -> None:
    refused = refusal(demands(), {BUDGET_KEY: Counter(used=50_000_000)})

    assert refused is not None
    assert "not your quota" in refused.message
