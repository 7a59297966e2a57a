"""WaveSpeed's refusals as domain errors: which status and text mean which ProviderErrorKind.

The kind decides whether another provider may be tried, so a refusal about the request itself
(bad input, moderation, an account with no credit) must never look like an outage.
"""

from __future__ import annotations

import json
import re

import httpx

from imagestudio.adapters.providers.submit_statuses import may_have_run
from imagestudio.application.ports.provider import SubmitUnknown
from imagestudio.domain.errors import ProviderErrorKind, ProviderFailed

PROVIDER = "wavespeed"
MAX_DETAIL_CHARS = 300

_MODERATION = re.compile(
    r"nsfw|moderat|polic(y|ies)|content (violation|filter|safety|check)|inappropriate|"
    r"unsafe|sensitive content|prohibited",
    re.IGNORECASE,
)
_NO_CREDIT = re.compile(r"balance|credit|insufficient", re.IGNORECASE)

K = ProviderErrorKind


def failed(kind: ProviderErrorKind, detail: str) -> ProviderFailed:
    return ProviderFailed(provider=PROVIDER, kind=kind, detail=detail)


def is_about_moderation(text: str) -> bool:
    return _MODERATION.search(text) is not None


def reply_message(response: httpx.Response) -> str:
    """The envelope's `message` (or the body's start), short enough for a detail."""
    try:
        envelope = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        envelope = None
    if isinstance(envelope, dict):
        for name in ("message", "error", "detail"):
            value = envelope.get(name)
            if isinstance(value, str) and value.strip():
                return _shortened(value)
    return _shortened(response.text) or response.reason_phrase


def kind_for_status(status: int, message: str) -> ProviderErrorKind:
    """The kind of a refused request, from its HTTP status and the envelope's message."""
    if status == 401:
        return K.AUTH
    if status == 429:
        return K.RATE_LIMITED
    if status == 402 or (status == 403 and _NO_CREDIT.search(message)):
        return K.OUT_OF_CREDIT
    if status == 403 or (400 <= status < 500 and is_about_moderation(message)):
        return K.MODERATION
    if status == 404:
        return K.NOT_SUPPORTED
    if 400 <= status < 500:  # 400, 413, 422 and any other refusal of the request itself
        return K.INVALID_INPUT
    return K.UNAVAILABLE


def submit_refusal(response: httpx.Response) -> ProviderFailed | SubmitUnknown:
    """A non-2xx reply to a submit: definite, except an error that may hide a task.

    A 500 is WaveSpeed's own unexpected error, which can come after the task was made (its SDK
    never re-sends a submit: "the task may exist"); a 502/504 or a CDN's 520/524 came after the
    request may have reached it. A 503 says the service did not take the request (overloaded,
    or down), so it is definite and another provider may be tried (`may_have_run`).
    """
    message = reply_message(response)
    detail = f"HTTP {response.status_code} on submit: {message}"
    if may_have_run(response.status_code):
        return SubmitUnknown(task_id=None, detail=detail)
    return failed(kind_for_status(response.status_code, message), detail)


def task_failure(error: str, status: str) -> ProviderFailed:
    """A task WaveSpeed ran and gave up on (it refunds those): moderation or its own trouble."""
    text = error.strip() or f"the task ended {status}"
    kind = K.MODERATION if is_about_moderation(text) else K.UNAVAILABLE
    return failed(kind, f"task {status}: {_shortened(text)}")


def without_secret(text: str, secret: str) -> str:
    """`text` with every copy of `secret` masked: details end up in logs and API replies."""
    return text.replace(secret, "[redacted]") if secret else text


def _shortened(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_DETAIL_CHARS else text[: MAX_DETAIL_CHARS - 1] + "…"
