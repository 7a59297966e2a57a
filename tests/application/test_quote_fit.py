"""A quote's plan fit: what the request would use of each limited dimension, what would remain,
and the very refusal running it would meet, by whose limit."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from fakes import FLAT_PRICE, NEXT_PERIOD_START, OPERATOR_BUDGET, text_to_image

from imagestudio.domain.errors import (
    OperatorBudgetExhausted,
    QuotaExceeded,
    RateLimited,
    UnknownUser,
)
from imagestudio.domain.limit import UNLIMITED, Limit
from imagestudio.domain.plan_fit import PlanFit
from imagestudio.domain.quota import Scope

if TYPE_CHECKING:
    from conftest import Studio


async def fit_of(studio: Studio, user: str, **changes: object) -> PlanFit:
    return (await studio.quote.execute(text_to_image(user, **changes))).unwrap().fit


async def test_a_request_that_fits_shows_every_dimension_it_would_touch(studio: Studio) -> None:
    await studio.run.execute(text_to_image())

    fit = await fit_of(studio, "ada", outputs=3)

    assert (fit.plan, fit.refusal, fit.refused_by, fit.clears_at) == ("roomy", None, None, None)
    dimensions = {d.name: d for d in fit.dimensions}
    assert list(dimensions) == [
        "storage",
        "requests per minute",
        "calls:image-generation",
        "spend",
        "concurrency",
        "budget",
    ]
    calls = dimensions["calls:image-generation"]
    assert (calls.would_use, calls.used, calls.held, calls.limit) == (3, 1, 0, Limit.of(100))
    assert (calls.remaining_after, calls.resets_at, calls.scope) == (
        96,
        NEXT_PERIOD_START,
        Scope.USER,
    )
    spend = dimensions["spend"]
    assert (spend.unit, spend.would_use, spend.used) == ("micro-usd", 3 * FLAT_PRICE, FLAT_PRICE)
    assert spend.remaining_after == 10_000_000 - 4 * FLAT_PRICE
    budget = dimensions["budget"]
    assert (budget.scope, budget.owner, budget.limit) == (
        Scope.OPERATOR,
        "acme",
        Limit.of(OPERATOR_BUDGET),
    )
    assert (budget.used, budget.would_use) == (FLAT_PRICE, 3 * FLAT_PRICE)
    assert dimensions["concurrency"].resets_at is None
    assert dimensions["storage"].would_use is None  # sizes are known only after
    assert all(d.refusal is None for d in fit.dimensions)
    await studio.assert_nothing_spent("bob")


async def test_an_unlimited_plan_shows_unlimited_dimensions(studio: Studio) -> None:
    fit = await fit_of(studio, "fay")  # only the request rate is limited

    dimensions = {d.name: d for d in fit.dimensions}
    for name in ("storage", "calls:image-generation", "spend", "concurrency"):
        assert (dimensions[name].limit, dimensions[name].remaining_after) == (UNLIMITED, None)
    assert dimensions["requests per minute"].remaining_after == 1
    assert fit.refusal is None


async def test_a_quote_refused_by_the_plan_meets_the_refusal_running_meets(
    studio: Studio,
) -> None:
    fit = await fit_of(studio, "dan", outputs=2)  # 2 x $0.04 over a $0.05 cap
    ran = (await studio.run.execute(text_to_image("dan", outputs=2))).failure()

    assert isinstance(ran, QuotaExceeded)
    assert fit.refusal == ran
    assert (fit.refused_by, fit.clears_at) == (Scope.USER, NEXT_PERIOD_START)
    spend = next(d for d in fit.dimensions if d.name == "spend")
    assert (spend.refusal, spend.remaining_after) == (ran, 50_000 - 2 * FLAT_PRICE)


async def test_a_quote_refused_by_the_operator_budget_says_it_is_not_the_users_limit(
    studio: Studio,
) -> None:
    await studio.set_operator_budget(FLAT_PRICE - 1)

    fit = await fit_of(studio, "ada")
    ran = (await studio.run.execute(text_to_image())).failure()

    assert isinstance(ran, OperatorBudgetExhausted)
    assert fit.refusal == ran
    assert (fit.refused_by, fit.clears_at) == (Scope.OPERATOR, NEXT_PERIOD_START)


async def test_a_quote_refused_by_the_request_rate_says_when_it_clears(studio: Studio) -> None:
    for _ in range(2):
        await studio.run.execute(text_to_image("fay"))

    fit = await fit_of(studio, "fay")
    ran = (await studio.run.execute(text_to_image("fay"))).failure()

    assert isinstance(ran, RateLimited)
    assert fit.refusal == ran
    assert fit.clears_at == fit.at + timedelta(seconds=ran.retry_after_seconds)
    rate = next(d for d in fit.dimensions if d.name == "requests per minute")
    assert (rate.used, rate.remaining_after, rate.resets_at) == (
        2,
        -1,
        fit.at + timedelta(minutes=1),
    )


async def test_a_model_whose_provider_is_not_configured_has_a_fit_without_a_budget(
    studio: Studio,
) -> None:
    fit = await fit_of(studio, "ada", model_id="ghost-cheap")

    assert "budget" not in {d.name for d in fit.dimensions}
    assert fit.refusal is None


async def test_a_quote_for_an_unknown_user_is_unknown_user(studio: Studio) -> None:
    error = (await studio.quote.execute(text_to_image("stranger"))).failure()

    assert error == UnknownUser("stranger")
