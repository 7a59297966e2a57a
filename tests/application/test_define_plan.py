"""Defining a plan: created or replaced at once; what users used stays used."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakes import text_to_image
from returns.result import Failure, Success

from imagestudio.application.use_cases.define_plan import DefinePlan
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import Plan

if TYPE_CHECKING:
    from conftest import Studio

GEN = QuotaCategory.IMAGE_GENERATION


async def test_a_new_plan_is_listed_with_its_limits(studio: Studio) -> None:
    plan = Plan(name="team", calls={GEN: Limit.of(40)}, spend_cap=Limit.of(9_000_000))

    assert await DefinePlan(studio.quota).execute(plan) == Success(plan)

    assert plan in await studio.quota.plans()


async def test_replacing_a_plan_gives_its_users_the_new_limits_and_keeps_what_they_used(
    studio: Studio,
) -> None:
    await studio.quota.define_plan(Plan(name="team", calls={GEN: Limit.of(2)}))
    await studio.quota.assign("zoe", "team")
    assert isinstance(await studio.run.execute(text_to_image("zoe")), Success)

    await DefinePlan(studio.quota).execute(Plan(name="team", calls={GEN: Limit.of(5)}))

    usage = (await studio.usage.execute("zoe")).unwrap()
    row = next(row for row in usage.rows if row.name == GEN.value)
    assert (row.used, row.limit, row.remaining) == (1, Limit.of(5), 4)


async def test_a_plan_name_that_cannot_be_a_key_is_refused(studio: Studio) -> None:
    result = await DefinePlan(studio.quota).execute(Plan(name="no spaces"))

    assert isinstance(result, Failure)
    assert isinstance(result.failure(), InvalidInput)
    assert "no spaces" not in {plan.name for plan in await studio.quota.plans()}
