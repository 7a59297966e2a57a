"""The `webhook` and `webhook_events` fields of every route that runs an operation, read and
checked at the boundary: an unknown event is refused by the model (400); a URL that may not
receive webhooks (not a URL, its scheme, an address its name resolves to) by `subscription`
(422) — before anything is reserved."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from imagestudio.domain.operation_event import FINAL_EVENT, OperationEventKind
from imagestudio.domain.webhook import WebhookSubscription
from imagestudio.entrypoints.http.auth import ProblemError
from imagestudio.entrypoints.http.problems import Problem
from imagestudio.entrypoints.http.state import AppState

EventName = Literal[
    "operation.accepted", "operation.sent", "operation.unknown", "operation.settled"
]
"""`OperationEventKind.type_name` of each event a webhook may ask for (`WEBHOOK_EVENTS`)."""
_BY_NAME = {kind.type_name: kind for kind in OperationEventKind}
_ONE = r"operation\.(accepted|sent|unknown|settled)"
EVENTS_FORM_FIELD = {
    "type": "string",
    "pattern": rf"^{_ONE}(,{_ONE})*$",
    "description": "In a form: the events, comma-separated.",
}
"""`webhook_events` as a form field (`events_of_form` reads it)."""


def events_of_form(value: str) -> list[str]:
    return value.split(",")


class WebhookFields(BaseModel):
    webhook: str | None = Field(
        default=None,
        max_length=2048,
        description="An https URL to POST the operation's events to, signed as Standard "
        "Webhooks (`GET /v1/webhooks/secret`).",
    )
    webhook_events: list[EventName] | None = Field(
        default=None,
        min_length=1,
        description="Which events to deliver; the final one (`operation.settled`) by default.",
    )


def problem(reason: str) -> Problem:
    return Problem(
        status=422,
        slug="webhook-refused",
        title="Webhook destination refused",
        detail=f"webhook: {reason}",
        extra={"field": "webhook", "reason": reason},
        headers={"x-should-retry": "false"},
    )


async def subscription(state: AppState, fields: WebhookFields) -> WebhookSubscription | None:
    """The operation's webhook, its destination checked now (and again at each delivery)."""
    if fields.webhook is None:
        if fields.webhook_events is not None:
            raise ProblemError(problem("webhook_events was given without a webhook"))
        return None
    if urlsplit(fields.webhook).username is not None:
        raise ProblemError(problem("credentials in the URL are not taken"))
    refusal = await state.studio.container.webhook_destinations().refusal(fields.webhook)
    if refusal is not None:
        raise ProblemError(problem(refusal))
    events = frozenset(_BY_NAME[name] for name in fields.webhook_events or ())
    return WebhookSubscription(url=fields.webhook, events=events or frozenset({FINAL_EVENT}))
