"""Refused at reserve: whose limit, its numbers, when it clears; nothing is held or called."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from fakes import (
    FACE_SWAP_PRICE,
    FLAT_PRICE,
    NEXT_PERIOD_START,
    Block,
    Filter,
    Unknown,
    image_request,
    png_bytes,
    text_to_image,
)
from returns.result import Success

from imagestudio.domain.errors import (
    OperatorBudgetExhausted,
    QuotaExceeded,
    RateLimited,
    UnknownUser,
)
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.quota import Counter

if TYPE_CHECKING:
    from conftest import Studio


async def assert_refused_without_trace(studio: Studio, user: str, recorded: int) -> None:
    """The refused request called nothing and left nothing: its accept was rolled back whole,
    so only the `recorded` operations before it exist, each with its own ledger line or still
    running."""
    assert len(studio.operations.saved_ids) == recorded
    for operation_id in studio.operations.saved_ids:
        operation = await studio.operation(operation_id)
        assert operation.status is not OperationStatus.FAILED or operation.error
    await studio.assert_used_matches_ledger(user)


async def test_the_calls_limit_refuses_with_its_numbers_and_the_next_period_start(
    studio: Studio,
) -> None:
    await studio.run.execute(text_to_image("cat", outputs=2))

    error = (await studio.run.execute(text_to_image("cat", outputs=2))).failure()

    assert error == QuotaExceeded(
        user_id="cat",
        limit_name="calls:image-generation",
        used=2,
        held=0,
        limit=3,
        requested=2,
        resets_at=NEXT_PERIOD_START,
    )


async def test_a_calls_refusal_calls_no_provider_holds_nothing_and_records_no_operation(
    studio: Studio,
) -> None:
    await studio.run.execute(text_to_image("cat", outputs=3))
    calls_before = len(studio.provider.jobs)

    await studio.run.execute(text_to_image("cat"))

    assert len(studio.provider.jobs) == calls_before
    assert await studio.counter("cat", "calls:image-generation") == Counter(used=3, held=0)
    await studio.assert_nothing_held("cat")
    assert len(await studio.lines("cat")) == 1
    await assert_refused_without_trace(studio, "cat", 1)


async def test_four_variations_with_room_for_three_are_refused_whole(studio: Studio) -> None:
    error = (await studio.run.execute(text_to_image("cat", outputs=4))).failure()

    assert isinstance(error, QuotaExceeded)
    assert (error.used, error.held, error.limit, error.requested) == (0, 0, 3, 4)
    assert studio.provider.jobs == []
    await studio.assert_nothing_spent("cat")


async def test_what_is_held_counts_against_the_calls_limit(studio: Studio) -> None:
    studio.provider.script(Unknown())
    await studio.run.execute(text_to_image("cat"))

    error = (await studio.run.execute(text_to_image("cat", outputs=3))).failure()

    assert isinstance(error, QuotaExceeded)
    assert (error.used, error.held, error.requested) == (0, 1, 3)


async def test_the_spend_cap_refuses_with_its_numbers(studio: Studio) -> None:
    await studio.run.execute(text_to_image("dan"))

    error = (await studio.run.execute(text_to_image("dan"))).failure()

    assert error == QuotaExceeded(
        user_id="dan",
        limit_name="spend",
        used=FLAT_PRICE,
        held=0,
        limit=50_000,
        requested=FLAT_PRICE,
        resets_at=NEXT_PERIOD_START,
    )
    assert error.is_money
    assert len(studio.provider.jobs) == 1
    await studio.assert_nothing_held("dan")
    await assert_refused_without_trace(studio, "dan", 1)


async def test_the_operator_budget_refuses_as_not_the_users_quota(studio: Studio) -> None:
    await studio.set_operator_budget(30_000)

    error = (await studio.run.execute(text_to_image())).failure()

    assert error == OperatorBudgetExhausted(
        provider="acme",
        used=0,
        held=0,
        limit=30_000,
        requested=FLAT_PRICE,
        resets_at=NEXT_PERIOD_START,
    )
    assert "not your quota" in error.message
    assert studio.provider.jobs == []
    await studio.assert_nothing_spent("ada")
    await assert_refused_without_trace(studio, "ada", 0)


async def test_the_operator_budget_is_shared_by_all_users(studio: Studio) -> None:
    await studio.set_operator_budget(FLAT_PRICE + 10_000)
    await studio.run.execute(text_to_image("ada"))

    error = (await studio.run.execute(text_to_image("bob"))).failure()

    assert isinstance(error, OperatorBudgetExhausted)
    assert error.used == FLAT_PRICE
    await studio.assert_nothing_spent("bob")


async def test_the_concurrency_limit_refuses_a_second_operation_while_one_runs(
    studio: Studio,
) -> None:
    blocked = Block()
    studio.provider.script(blocked)
    first = asyncio.create_task(studio.run.execute(text_to_image("eve")))
    await blocked.entered.wait()

    error = (await studio.run.execute(text_to_image("eve"))).failure()

    assert error == RateLimited(
        user_id="eve", limit_name="concurrent operations", limit=1, retry_after_seconds=1
    )
    assert len(studio.provider.jobs) == 1
    assert await studio.spend("eve") == Counter(used=0, held=FLAT_PRICE)
    await assert_refused_without_trace(studio, "eve", 1)
    blocked.release()
    assert isinstance(await first, Success)
    await studio.assert_nothing_held("eve")


async def test_the_concurrency_slot_is_free_again_once_an_operation_finished(
    studio: Studio,
) -> None:
    await studio.run.execute(text_to_image("eve"))

    assert isinstance(await studio.run.execute(text_to_image("eve")), Success)


async def test_a_disabled_category_of_a_reference_plan_refuses_every_call(studio: Studio) -> None:
    # The free plan's face swap is 0 calls: disabled, not unlimited.
    request = image_request(
        OperationKind.FACE_SWAP,
        "acme-faceswap",
        png_bytes(128, 128),
        png_bytes(128, 128),
        user_id="fred",
        prompt="",
    )

    error = (await studio.run.execute(request)).failure()

    assert isinstance(error, QuotaExceeded)
    assert (error.limit_name, error.limit, error.requested) == ("calls:face-swap", 0, 1)
    assert FACE_SWAP_PRICE > 0
    await studio.assert_nothing_spent("fred")


async def test_a_user_the_quota_store_does_not_know_is_refused_and_nothing_is_spent(
    studio: Studio,
) -> None:
    error = (await studio.run.execute(text_to_image("stranger"))).failure()

    assert error == UnknownUser("stranger")
    assert studio.provider.jobs == []
    assert await studio.ledger.for_user("stranger") == ()
    assert await studio.budget() == Counter()


async def test_the_requests_per_minute_limit_refuses_the_third_request_in_a_minute(
    studio: Studio,
) -> None:
    await studio.run.execute(text_to_image("fay"))
    await studio.run.execute(text_to_image("fay"))

    error = (await studio.run.execute(text_to_image("fay"))).failure()

    assert isinstance(error, RateLimited)
    assert len(studio.provider.jobs) == 2


async def test_concurrent_requests_never_overspend_the_calls_limit(studio: Studio) -> None:
    results = await asyncio.gather(*(studio.run.execute(text_to_image("cat")) for _ in range(6)))

    succeeded = [result for result in results if isinstance(result, Success)]
    refused = [result.failure() for result in results if not isinstance(result, Success)]
    assert len(succeeded) == 3
    assert all(isinstance(error, QuotaExceeded) for error in refused)
    assert len(studio.provider.jobs) == 3
    assert await studio.counter("cat", "calls:image-generation") == Counter(used=3, held=0)
    await studio.assert_used_matches_ledger("cat")


async def test_concurrent_requests_never_overspend_the_spend_cap(studio: Studio) -> None:
    blocks = [Block(), Block(), Block()]
    studio.provider.script(*blocks)

    tasks = [asyncio.create_task(studio.run.execute(text_to_image("dan"))) for _ in range(3)]
    await blocks[0].entered.wait()
    for block in blocks:
        block.release()
    results = await asyncio.gather(*tasks)

    assert sum(isinstance(result, Success) for result in results) == 1
    assert len(studio.provider.jobs) == 1
    assert await studio.spend("dan") == Counter(used=FLAT_PRICE, held=0)
    await studio.assert_used_matches_ledger("dan")


async def test_a_filtered_output_the_provider_billed_still_counts_against_the_operator_budget(
    studio: Studio,
) -> None:
    studio.provider.script(Filter())

    await studio.run.execute(text_to_image())

    assert await studio.budget() == Counter(used=FLAT_PRICE, held=0)
