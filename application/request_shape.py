"""The types of an `OperationRequest`, checked where it comes in: a host application's Python is
not type-checked by ours, and JSON it decoded gives floats and strings where ints belong.

Refused as `InvalidInput` before anything is held or written: left to the rules after, a float
width reached the provider and left the operation unknown, its reservation (and the user's
concurrency) held until reconciliation; a string one raised TypeError from a comparison; text
PostgreSQL cannot store (a NUL) failed the settlement, after the provider had billed. A user id
no database could hold is no user (`UnknownUser`), as such an asset id is no asset."""

from __future__ import annotations

import math
from collections.abc import Mapping

from imagestudio.application.input_rules import text_problem
from imagestudio.application.requests import ImageInput, OperationRequest
from imagestudio.domain.errors import InputProblem, InvalidInput, UnknownUser
from imagestudio.domain.errors.echo import echoed
from imagestudio.domain.webhook import WEBHOOK_EVENTS, WebhookSubscription

IDEMPOTENCY_KEY_LENGTH = 200
"""The longest idempotency key (the stores keep 255 characters; HTTP takes 200)."""
PARAMETER_NAME_LENGTH = 100
"""The longest name a model parameter may have (the catalog's longest has 25 characters)."""
PARAMETER_TEXT_LENGTH = 10_000
"""The longest text a model parameter takes (a negative prompt, say): as long as the longest
prompt a model takes. Longer, a provider refuses it after the operation was accepted."""


def shape_problem(request: OperationRequest) -> InvalidInput | UnknownUser | None:
    """The first field of `request` whose value is not of its declared type, or None."""
    for name, value in (("user_id", request.user_id), ("prompt", request.prompt)):
        if not isinstance(value, str):
            return _wrong(name, "text", value)
    if (nobody := user_problem(request.user_id)) is not None:
        return nobody
    if request.model_id is not None and not isinstance(request.model_id, str):
        return _wrong("model_id", "text", request.model_id)
    for name, number in (
        ("width", request.width),
        ("height", request.height),
        ("seed", request.seed),
        ("outputs", request.outputs),
    ):
        # bool is an int to Python, never a size or a count to a caller.
        if (number is not None or name == "outputs") and (
            not isinstance(number, int) or isinstance(number, bool)
        ):
            return _wrong(name, "a whole number", number)
    if not isinstance(request.images, tuple | list):
        return InvalidInput("images", "must be a sequence of ImageInput")
    for index, image in enumerate(request.images):
        if (problem := image_problem(f"images[{index}]", image)) is not None:
            return problem
    if request.webhook is not None:
        if not isinstance(request.webhook, WebhookSubscription):
            return _wrong("webhook", "a WebhookSubscription", request.webhook)
        url: object = request.webhook.url
        if not isinstance(url, str):
            return _wrong("webhook", "given a URL as text", url)
        if (unstorable := text_problem(url)) is not None:
            # Its deliveries are written with the settlement: PostgreSQL refusing the URL there
            # would fail the transaction that records outputs the provider already billed.
            return InvalidInput("webhook", f"the URL {unstorable}")
        if (unheard := _events_problem(request.webhook.events)) is not None:
            return InvalidInput("webhook", unheard)
    return _parameters_problem(request.parameters) or _key_problem(request.idempotency_key)


def _events_problem(events: object) -> str | None:
    """Why a webhook asking for `events` would hear nothing, or not what was meant (`progress`,
    no event, `"operation.settled"`: the HTTP name, where the event is `settled`), or None."""
    if not isinstance(events, set | frozenset | list | tuple):
        # A string is a collection too: "settled" would have been read letter by letter.
        return f"events must be a set of OperationEventKind, not {type(events).__name__}"
    if not events:
        return "events is empty: nothing would be delivered"
    for event in events:
        if event not in WEBHOOK_EVENTS:
            named = ", ".join(kind.value for kind in WEBHOOK_EVENTS)
            shown = repr(str(event)) if isinstance(event, str) else repr(event)
            return f"events: {shown} is not an event webhooks deliver ({named})"
    return None


def image_problem(field: str, image: object) -> InvalidInput | None:
    """Why `image` is not an `ImageInput` of bytes or of an asset id, or None."""
    if not isinstance(image, ImageInput):
        return _wrong(field, "an ImageInput", image)
    if image.data is not None and not isinstance(image.data, bytes | bytearray | memoryview):
        return _wrong(field, "bytes", image.data)
    if image.asset_id is not None and not isinstance(image.asset_id, str):
        return _wrong(field, "an asset id (text)", image.asset_id)
    if not isinstance(image.role, str):
        return _wrong(field, "given a role as text", image.role)
    return None


def user_problem(user_id: str) -> UnknownUser | None:
    """An id no database could hold (a NUL, a lone surrogate) is simply no user, as such an
    asset id is no asset: PostgreSQL would refuse the query, where the other stores find
    nobody."""
    return None if text_problem(user_id) is None else UnknownUser(user_id)


def _parameters_problem(parameters: object) -> InvalidInput | None:
    if not isinstance(parameters, Mapping):
        return _wrong("parameters", "a mapping of names to values", parameters)
    for name, value in parameters.items():
        if not isinstance(name, str):
            return InvalidInput("parameters", f"the name {echoed(name)} is not text")
        if len(name) > PARAMETER_NAME_LENGTH:
            # Past here a refusal names it in its field, `parameters.` and the whole name.
            reason = f"the name {echoed(name)} is longer than any parameter's"
            return InvalidInput("parameters", reason)
        if not isinstance(value, str | int | float | bool):
            return InvalidInput(
                "parameters", f"{name} is a {type(value).__name__}, not text, a number or a bool"
            )
        if isinstance(value, float) and not math.isfinite(value):
            # No JSON holds one (a provider's body, PostgreSQL's column), and no model takes it.
            return InvalidInput(f"parameters.{name}", f"must be a finite number, not {value}")
        # Its text is stored as JSON, which escapes a NUL: only its length is refused.
        if isinstance(value, str) and len(value) > PARAMETER_TEXT_LENGTH:
            return InvalidInput(
                f"parameters.{name}",
                f"is longer than {PARAMETER_TEXT_LENGTH:,} characters",
                InputProblem.TOO_LARGE,
            )
    return None


def _key_problem(key: object) -> InvalidInput | None:
    if key is None:
        return None
    if not isinstance(key, str):
        return _wrong("idempotency_key", "text", key)
    if not key.strip():
        # A blank key is a key left empty, not one naming this request: taken as given, every
        # later request sent with it (an agent filling optional fields with "") is refused as
        # a reuse, or replays the first one's outcome.
        return InvalidInput(
            "idempotency_key", "is blank: leave it out, or give a key of this request"
        )
    if len(key) > IDEMPOTENCY_KEY_LENGTH:
        return InvalidInput(
            "idempotency_key", f"is longer than {IDEMPOTENCY_KEY_LENGTH} characters"
        )
    if (problem := text_problem(key)) is not None:
        return InvalidInput("idempotency_key", problem)
    return None


def _wrong(field: str, expected: str, value: object) -> InvalidInput:
    return InvalidInput(field, f"must be {expected}, not {type(value).__name__}")
