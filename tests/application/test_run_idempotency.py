"""An idempotency key replays one outcome and never causes a second provider call or charge."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from fakes import FLAT_PRICE, Block, Fail, FailingAssetStore, Unknown, text_to_image
from returns.result import Success

from imagestudio.domain.errors import (
    IdempotencyConflict,
    IdempotencyInProgress,
    InvalidInput,
    OutcomeUnknown,
    OutputLost,
    ProviderFailed,
    QuotaExceeded,
)
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation_event import OperationEventKind
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import Plan
from imagestudio.domain.quota import Counter
from imagestudio.domain.webhook import WebhookSubscription

if TYPE_CHECKING:
    from conftest import Studio, StudioFactory

KEY = "key-1"


async def test_a_retry_with_the_same_key_replays_the_first_success(studio: Studio) -> None:
    first = await studio.run.execute(text_to_image(idempotency_key=KEY))

    again = await studio.run.execute(text_to_image(idempotency_key=KEY))

    assert again == first
    assert isinstance(again, Success)


async def test_a_replayed_success_calls_the_provider_and_charges_only_once(
    studio: Studio,
) -> None:
    await studio.run.execute(text_to_image(idempotency_key=KEY))

    await studio.run.execute(text_to_image(idempotency_key=KEY))

    assert len(studio.provider.jobs) == 1
    assert len(await studio.lines("ada")) == 1
    assert await studio.spend("ada") == Counter(used=FLAT_PRICE, held=0)
    assert len(studio.operations.saved_ids) == 1
    await studio.assert_used_matches_ledger("ada")


async def test_the_ledger_line_keeps_the_idempotency_key(studio: Studio) -> None:
    await studio.run.execute(text_to_image(idempotency_key=KEY))

    [line] = await studio.lines("ada")
    assert line.idempotency_key == KEY


async def test_a_definite_failure_is_replayed_without_a_second_call(studio: Studio) -> None:
    studio.provider.script(Fail(detail="provider said no"))
    first = await studio.run.execute(text_to_image(idempotency_key=KEY))

    again = await studio.run.execute(text_to_image(idempotency_key=KEY))

    assert isinstance(again.failure(), ProviderFailed)
    assert again == first
    assert len(studio.provider.jobs) == 1
    assert len(await studio.lines("ada")) == 1


async def test_a_retry_while_the_first_is_still_running_is_told_it_is_in_progress(
    studio: Studio,
) -> None:
    blocked = Block(after_sending=True)
    studio.provider.script(blocked)
    first = asyncio.create_task(studio.run.execute(text_to_image(idempotency_key=KEY)))
    await blocked.entered.wait()

    error = (await studio.run.execute(text_to_image(idempotency_key=KEY))).failure()

    assert error == IdempotencyInProgress(KEY)
    assert len(studio.provider.jobs) == 1
    blocked.release()
    assert isinstance(await first, Success)
    assert len(await studio.lines("ada")) == 1


async def test_the_same_key_with_a_different_request_is_a_conflict(studio: Studio) -> None:
    await studio.run.execute(text_to_image(idempotency_key=KEY))

    error = (
        await studio.run.execute(text_to_image(prompt="another prompt", idempotency_key=KEY))
    ).failure()

    assert error == IdempotencyConflict(KEY)
    assert len(studio.provider.jobs) == 1
    assert len(await studio.lines("ada")) == 1


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
async def test_a_blank_key_is_refused_for_free_and_claims_nothing(
    studio: Studio, blank: str
) -> None:
    """A key left empty (an agent filling every optional field with "") names no request: taken
    as a key, the next request sent with it would be refused as a reuse of it."""
    for prompt in ("a fox", "a cat"):
        error = (
            await studio.run.execute(text_to_image(prompt=prompt, idempotency_key=blank))
        ).failure()
        assert isinstance(error, InvalidInput) and error.field == "idempotency_key", error
    assert studio.provider.jobs == [] and not await studio.lines("ada")
    assert await studio.spend("ada") == Counter(used=0, held=0)
    assert (await studio.quote.execute(text_to_image(idempotency_key=blank))).failure() == error


PROGRESS = OperationEventKind.PROGRESS
HOOK = WebhookSubscription(url="https://hooks.example.com/a")


@pytest.mark.parametrize(
    "retried",
    [
        WebhookSubscription(url="https://hooks.example.com/b"),
        WebhookSubscription(url=HOOK.url, events=frozenset(OperationEventKind) - {PROGRESS}),
        None,
    ],
    ids=["another-url", "other-events", "none"],
)
async def test_the_same_key_with_another_webhook_is_a_conflict(
    studio: Studio, retried: WebhookSubscription | None
) -> None:
    """The second webhook would never hear of the operation: a replay would hide that."""
    await studio.run.execute(text_to_image(idempotency_key=KEY, webhook=HOOK))

    again = await studio.run.execute(text_to_image(idempotency_key=KEY, webhook=retried))

    assert again.failure() == IdempotencyConflict(KEY)
    assert len(studio.provider.jobs) == 1


async def test_the_same_key_with_the_same_webhook_replays(studio: Studio) -> None:
    first = await studio.run.execute(text_to_image(idempotency_key=KEY, webhook=HOOK))
    again = await studio.run.execute(text_to_image(idempotency_key=KEY, webhook=HOOK))

    assert again.unwrap().operation.id == first.unwrap().operation.id
    assert len(studio.provider.jobs) == 1


async def test_a_quota_refusal_does_not_burn_the_key(studio: Studio) -> None:
    await studio.quota.define_plan(
        Plan(name="none-left", calls={QuotaCategory.IMAGE_GENERATION: Limit.of(0)})
    )
    await studio.quota.assign("ada", "none-left")
    refused = await studio.run.execute(text_to_image(idempotency_key=KEY))
    assert isinstance(refused.failure(), QuotaExceeded)
    await studio.quota.define_plan(
        Plan(name="none-left", calls={QuotaCategory.IMAGE_GENERATION: Limit.of(5)})
    )

    retried = await studio.run.execute(text_to_image(idempotency_key=KEY))

    assert isinstance(retried, Success)
    assert len(studio.provider.jobs) == 1
    await studio.assert_used_matches_ledger("ada")


async def test_a_cancellation_before_sending_frees_the_key(studio: Studio) -> None:
    blocked = Block(after_sending=False)
    studio.provider.script(blocked)
    task = asyncio.create_task(studio.run.execute(text_to_image(idempotency_key=KEY)))
    await blocked.entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    retried = await studio.run.execute(text_to_image(idempotency_key=KEY))

    assert isinstance(retried, Success)
    assert studio.provider.sent == 1
    await studio.assert_used_matches_ledger("ada")


async def test_an_unknown_outcome_keeps_the_key_in_progress_so_no_retry_calls_twice(
    studio: Studio,
) -> None:
    studio.provider.script(Unknown())
    first = await studio.run.execute(text_to_image(idempotency_key=KEY))
    assert isinstance(first.failure(), OutcomeUnknown)

    again = await studio.run.execute(text_to_image(idempotency_key=KEY))

    assert again.failure() == IdempotencyInProgress(KEY)
    assert len(studio.provider.jobs) == 1


async def test_a_cancellation_after_sending_keeps_the_key_in_progress(studio: Studio) -> None:
    blocked = Block(after_sending=True)
    studio.provider.script(blocked)
    task = asyncio.create_task(studio.run.execute(text_to_image(idempotency_key=KEY)))
    await blocked.entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    again = await studio.run.execute(text_to_image(idempotency_key=KEY))

    assert again.failure() == IdempotencyInProgress(KEY)
    assert len(studio.provider.jobs) == 1


async def test_keys_are_per_user(studio: Studio) -> None:
    await studio.run.execute(text_to_image("ada", idempotency_key=KEY))

    bobs = await studio.run.execute(text_to_image("bob", idempotency_key=KEY))

    assert isinstance(bobs, Success)
    assert bobs.unwrap().operation.user_id == "bob"
    assert len(studio.provider.jobs) == 2
    assert len(await studio.lines("bob")) == 1


async def test_after_the_retention_the_key_runs_afresh(studio: Studio) -> None:
    first = (await studio.run.execute(text_to_image(idempotency_key=KEY))).unwrap()
    studio.clock.advance(timedelta(hours=25))

    again = (await studio.run.execute(text_to_image(idempotency_key=KEY))).unwrap()

    assert again.operation.id != first.operation.id
    assert len(studio.provider.jobs) == 2
    assert await studio.spend("ada") == Counter(used=2 * FLAT_PRICE, held=0)
    await studio.assert_used_matches_ledger("ada")


async def test_within_the_retention_the_key_still_replays(studio: Studio) -> None:
    await studio.run.execute(text_to_image(idempotency_key=KEY))
    studio.clock.advance(timedelta(hours=23))

    await studio.run.execute(text_to_image(idempotency_key=KEY))

    assert len(studio.provider.jobs) == 1


async def test_invalid_input_does_not_burn_the_key(studio: Studio) -> None:
    refused = await studio.run.execute(text_to_image(outputs=0, idempotency_key=KEY))
    assert isinstance(refused.failure(), InvalidInput)

    retried = await studio.run.execute(text_to_image(idempotency_key=KEY))

    assert isinstance(retried, Success)


async def test_a_lost_output_is_replayed_without_a_second_call(
    make_studio: StudioFactory,
) -> None:
    studio: Studio = make_studio(assets=FailingAssetStore.always)
    first = await studio.run.execute(text_to_image(idempotency_key=KEY))

    again = await studio.run.execute(text_to_image(idempotency_key=KEY))

    assert isinstance(again.failure(), OutputLost)
    assert again == first
    assert len(studio.provider.jobs) == 1


@pytest.mark.parametrize("key", ["a\x00b", "\x00", "half \ud800 a pair"])
async def test_a_key_no_database_can_store_is_invalid_input_before_anything_runs(
    studio: Studio, key: str
) -> None:
    """PostgreSQL cannot hold a NUL in text (the claim raised a driver error there, so the run
    crashed), and no UTF-8 database holds a lone surrogate: such a key is refused by name."""
    refused = await studio.run.execute(text_to_image(idempotency_key=key))

    error = refused.failure()
    assert isinstance(error, InvalidInput) and error.field == "idempotency_key", error
    assert studio.provider.jobs == [] and studio.operations.saved_ids == []
    assert await studio.lines("ada") == ()
