"""Stability's non-2xx replies as our outcomes (provider_contracts.md §2.4).

v2beta bodies are `{id, name, errors: [...]}`; v1 (account routes, some 401s) `{id, name,
message}`. The detail keeps the name and messages: what a caller needs to fix the request.
"""

from __future__ import annotations

import json
import re

import httpx

from imagestudio.adapters.providers.submit_statuses import may_have_run
from imagestudio.application.ports.provider import SubmitUnknown
from imagestudio.domain.errors import ProviderErrorKind as Kind
from imagestudio.domain.errors import ProviderFailed

PROVIDER = "stability"
MAX_DETAIL_CHARS = 500
PAYLOAD_LIMIT = "Stability takes at most 10 MiB per request"

_RUN_BY = {
    500: "Stability's own error, answered after it took the request",
    502: "from a gateway",
    504: "from a gateway",
}
"""Where a submit's error that may hide a run came from (`may_have_run`: every 5xx but the
few that say the request was never acted on): 502/504, a gateway's, after the request may
have reached Stability; 500, Stability's `internal_error` ("an unexpected server error has
occurred, please try again later"), which says nothing of the generation — it may come after
the image was made and billed, and the reply holds no id to ask about it by (the contract
documents the 403 moderation refusal as uncharged; it says no such thing of a 500). Unknown,
as WaveSpeed's 500 and a 500 to a Stability result poll are: held, never re-sent, never free.
A 503 says the service did not take the request, so it is definite."""
OTHER_RUN = "a server error after it may have taken the request"

_BY_STATUS = {
    400: Kind.INVALID_INPUT,
    401: Kind.AUTH,
    402: Kind.OUT_OF_CREDIT,
    404: Kind.NOT_SUPPORTED,
    413: Kind.INVALID_INPUT,
    422: Kind.INVALID_INPUT,
    429: Kind.RATE_LIMITED,
}
_NAME_IN_TEXT = re.compile(r'^\{[^{}]*?"name"\s*:\s*"([a-z_]{1,64})"')
"""The `name` of a v2beta error body that does not parse (cut short), read at its top level."""
_BY_NAME = {
    "content_moderation": Kind.MODERATION,
    "payment_required": Kind.OUT_OF_CREDIT,
    # A 422 like `invalid_language`, but a refusal of what the prompt shows, not of its form.
    "public_figure": Kind.MODERATION,
    "rate_limit_exceeded": Kind.RATE_LIMITED,
}


def error_detail(response: httpx.Response) -> str:
    """`HTTP 400 bad_request: prompt: is required`, from either body shape or plain text."""
    name, messages = _read_body(response)
    text = f"HTTP {response.status_code}"
    if name:
        text += f" {name}"
    if messages:
        text += ": " + "; ".join(messages)
    if response.status_code == 413:
        text += f" ({PAYLOAD_LIMIT})"
    return text[:MAX_DETAIL_CHARS]


def error_kind(response: httpx.Response) -> Kind:
    """What kind of refusal a non-2xx reply is (the name wins over the status when known)."""
    name, _ = _read_body(response)
    if name in _BY_NAME:
        return _BY_NAME[name]
    status = response.status_code
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status == 403:
        return Kind.AUTH
    # A redirect (a moved base URL, a proxy's) is no verdict on the request: Stability's trouble.
    return Kind.INVALID_INPUT if 400 <= status < 500 else Kind.UNAVAILABLE


def refused(response: httpx.Response) -> ProviderFailed:
    return ProviderFailed(
        provider=PROVIDER, kind=error_kind(response), detail=error_detail(response)
    )


def submit_refused(response: httpx.Response) -> ProviderFailed | SubmitUnknown:
    """A non-2xx reply to a submit: a refusal, or unknown when the request may have run."""
    if may_have_run(response.status_code):
        source = _RUN_BY.get(response.status_code, OTHER_RUN)
        return SubmitUnknown(
            task_id=None,
            detail=f"{error_detail(response)} ({source}): the submit may have been billed",
        )
    return refused(response)


def _read_body(response: httpx.Response) -> tuple[str, list[str]]:
    try:
        body = json.loads(response.content)
    except ValueError:
        text = response.text.strip()
        # A body cut short (a dropped connection, a proxy) still names its error near the
        # start: a moderated request must not read as a refused key because its reply was cut.
        named = _NAME_IN_TEXT.search(text)
        return (named.group(1) if named else ""), [text[:MAX_DETAIL_CHARS]] if text else []
    if not isinstance(body, dict):
        return "", [str(body)[:MAX_DETAIL_CHARS]]
    name = body.get("name")
    messages = body.get("errors")
    if not isinstance(messages, list):
        message = body.get("message")
        messages = [message] if message else []
    return (str(name) if name else ""), [str(message) for message in messages]
