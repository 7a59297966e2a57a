"""The `webhook` and `webhook_events` fields of every route that runs an operation, read at the
boundary: an unknown event is refused by the model (400), events without a webhook by
`subscription` (422). The destination itself is checked when the operation is prepared
(`application/preparation.py`), for every entrypoint alike, before anything is reserved."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from imagestudio.domain.errors import WebhookRefused
from imagestudio.domain.operation_event import FINAL_EVENT, OperationEventKind
from imagestudio.domain.webhook import WebhookSubscription
from imagestudio.entrypoints.http.auth import ProblemError
from imagestudio.entrypoints.http.problems import problem_for

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


def subscription(fields: WebhookFields) -> WebhookSubscription | None:
    """The operation's webhook as asked (its destination is checked when it is prepared)."""
    if fields.webhook is None:
        if fields.webhook_events is not None:
            reason = "webhook_events was given without a webhook"
            raise ProblemError(problem_for(WebhookRefused(reason)))
        return None
    events = frozenset(_BY_NAME[name] for name in fields.webhook_events or ())
    return WebhookSubscription(url=fields.webhook, events=events or frozenset({FINAL_EVENT}))
