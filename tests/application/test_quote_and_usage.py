"""A quote is what a run reserves; usage shows used, held, limit, remaining and the reset."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from fakes import (
    FLAT_PRICE,
    GHOST_PRICE,
    NEXT_PERIOD_START,
    PERIOD,
    Block,
    Unknown,
    image_request,
    png_bytes,
    text_to_image,
)

from imagestudio.application.requests import OperationRequest
from imagestudio.domain.errors import UnknownModel, UnknownUser
from imagestudio.domain.limit import UNLIMITED, Limit
from imagestudio.domain.operation_kind import OperationKind, QuotaCategory
from imagestudio.domain.quota import Counter

if TYPE_CHECKING:
    from conftest import Studio

K = OperationKind


async def held_while_running(studio: Studio, request: OperationRequest) -> int:
    """The spend a run of `request` holds while the provider works on it."""
    blocked = Block()
    studio.provider.script(blocked)
    task = asyncio.create_task(studio.run.execute(request))
    await blocked.entered.wait()
    held = (await studio.spend(request.user_id)).held
    blocked.release()
    await task
    return held


async def test_a_quote_for_variations_equals_what_the_run_reserves(studio: Studio) -> None:
    request = text_to_image(outputs=3)

    quote = (await studio.quote.execute(request)).unwrap()

    assert quote.amount == 3 * FLAT_PRICE
    assert quote.amount == await held_while_running(studio, request)


async def test_a_quote_for_an_upscale_equals_what_the_run_reserves(studio: Studio) -> None:
    request = image_request(K.UPSCALE, "acme-upscale", png_bytes(128, 128))

    quote = (await studio.quote.execute(request)).unwrap()

    assert (quote.model_id, quote.provider, quote.units.pixels) == ("acme-upscale", "acme", 65_536)
    assert quote.amount == await held_while_running(studio, request)


async def test_a_quote_for_a_video_equals_what_the_run_reserves(studio: Studio) -> None:
    request = image_request(
        K.IMAGE_TO_VIDEO, "acme-video", png_bytes(128, 128), parameters={"duration": 10}
    )

    quote = (await studio.quote.execute(request)).unwrap()

    assert quote.amount == await held_while_running(studio, request)


async def test_a_quote_spends_nothing_and_calls_nothing(studio: Studio) -> None:
    await studio.quote.execute(text_to_image(outputs=4))

    assert studio.provider.jobs == []
    assert studio.operations.saved_ids == []
    await studio.assert_nothing_spent("ada")


async def test_a_quote_may_price_a_model_whose_provider_is_not_configured(studio: Studio) -> None:
    quote = (await studio.quote.execute(text_to_image(model_id="ghost-cheap"))).unwrap()

    assert (quote.amount, quote.provider) == (GHOST_PRICE, "ghost")


async def test_a_quote_for_an_unknown_model_is_refused(studio: Studio) -> None:
    error = (await studio.quote.execute(text_to_image(model_id="nope"))).failure()

    assert error == UnknownModel("nope")


async def test_usage_shows_a_row_per_category_then_spend_and_concurrency(studio: Studio) -> None:
    report = (await studio.usage.execute("ada")).unwrap()

    names = [row.name for row in report.rows]
    assert names[-2:] == ["spend", "concurrency"]
    assert set(names[:-2]) == {category.value for category in QuotaCategory}
    assert report.plan == "roomy"
    assert report.period.key == PERIOD


async def test_usage_shows_used_held_limit_remaining_and_reset_after_operations(
    studio: Studio,
) -> None:
    await studio.run.execute(text_to_image(outputs=2))
    studio.provider.script(Unknown())
    await studio.run.execute(text_to_image())

    rows = {row.name: row for row in (await studio.usage.execute("ada")).unwrap().rows}

    generation = rows["image-generation"]
    assert (generation.used, generation.held, generation.limit) == (2, 1, Limit.of(100))
    assert generation.remaining == 97
    assert generation.resets_at == NEXT_PERIOD_START
    spend = rows["spend"]
    assert (spend.used, spend.held) == (2 * FLAT_PRICE, FLAT_PRICE)
    assert spend.remaining == 10_000_000 - 3 * FLAT_PRICE
    assert spend.is_money
    concurrency = rows["concurrency"]
    assert (concurrency.used, concurrency.held, concurrency.limit) == (0, 1, Limit.of(4))
    assert concurrency.resets_at is None


async def test_usage_of_an_unlimited_dimension_has_no_remaining(studio: Studio) -> None:
    rows = {row.name: row for row in (await studio.usage.execute("dan")).unwrap().rows}

    assert rows["image-generation"].limit == UNLIMITED
    assert rows["image-generation"].remaining is None
    assert rows["spend"].remaining == 50_000


async def test_usage_of_an_unknown_user_is_unknown_user(studio: Studio) -> None:
    error = (await studio.usage.execute("stranger")).failure()

    assert error == UnknownUser("stranger")


async def test_usage_matches_the_quota_counters(studio: Studio) -> None:
    await studio.run.execute(text_to_image(outputs=3))

    rows = {row.name: row for row in (await studio.usage.execute("ada")).unwrap().rows}

    assert Counter(rows["spend"].used, rows["spend"].held) == await studio.spend("ada")
    await studio.assert_used_matches_ledger("ada")
