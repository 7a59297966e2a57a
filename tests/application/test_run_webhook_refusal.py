"""A webhook whose destination may not receive deliveries is refused when the request is
prepared, by every path that prepares one (a run, a quote), before anything is reserved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakes import FLAT_PRICE, ScriptedProvider, text_to_image

from imagestudio.application.requests import OperationRequest
from imagestudio.domain.errors import InvalidInput, WebhookRefused
from imagestudio.domain.webhook import WebhookSubscription

if TYPE_CHECKING:
    from conftest import Studio, StudioFactory

REFUSED = "https://10.0.0.7/hook"
ALLOWED = "https://hooks.example.com/done"
WHY = "10.0.0.7 resolves to 10.0.0.7, not a public address"


def hooked(url: str, **changes: object) -> OperationRequest:
    return text_to_image(webhook=WebhookSubscription(url=url), **changes)


async def test_a_refused_destination_is_a_typed_error_that_costs_nothing(studio: Studio) -> None:
    studio.destinations.refused[REFUSED] = WHY

    error = (await studio.run.execute(hooked(REFUSED))).failure()

    assert error == WebhookRefused(WHY)
    assert error.message == f"webhook: {WHY}"
    assert studio.destinations.asked == [REFUSED]
    assert studio.provider.jobs == []
    assert studio.operations.saved_ids == []
    await studio.assert_nothing_spent("ada")


async def test_a_quote_says_the_run_would_be_refused(studio: Studio) -> None:
    studio.destinations.refused[REFUSED] = WHY

    refused = await studio.quote.execute(hooked(REFUSED))
    allowed = await studio.quote.execute(hooked(ALLOWED))

    assert refused.failure() == WebhookRefused(WHY)
    assert allowed.unwrap().amount == FLAT_PRICE
    assert studio.destinations.asked == [REFUSED, ALLOWED]


async def test_an_allowed_destination_runs_and_is_kept_on_the_operation(studio: Studio) -> None:
    studio.destinations.refused[REFUSED] = WHY

    done = (await studio.run.execute(hooked(ALLOWED))).unwrap()

    assert done.operation.webhook == WebhookSubscription(url=ALLOWED)
    assert studio.destinations.asked == [ALLOWED]
    assert (await studio.line_of(done.operation.id)).user_charge == FLAT_PRICE


async def test_other_invalid_input_is_refused_first_without_asking(studio: Studio) -> None:
    studio.destinations.refused[REFUSED] = WHY

    error = (await studio.run.execute(hooked(REFUSED, prompt="  "))).failure()

    assert isinstance(error, InvalidInput) and error.field == "prompt"
    assert studio.destinations.asked == []


async def test_a_request_without_a_webhook_asks_nothing(studio: Studio) -> None:
    (await studio.run.execute(text_to_image())).unwrap()
    (await studio.quote.execute(text_to_image())).unwrap()

    assert studio.destinations.asked == []


async def test_auto_routing_tries_no_other_model_for_a_refused_webhook(
    make_studio: StudioFactory,
) -> None:
    ghost = ScriptedProvider("ghost")
    studio = make_studio(others=(ghost,))
    studio.destinations.refused[REFUSED] = WHY

    error = (await studio.run.execute(hooked(REFUSED, model_id="auto"))).failure()

    assert error == WebhookRefused(WHY)
    assert studio.destinations.asked == [REFUSED]  # the destination is no model's doing
    assert (studio.provider.jobs, ghost.jobs, studio.operations.saved_ids) == ([], [], [])
    await studio.assert_nothing_spent("ada")
