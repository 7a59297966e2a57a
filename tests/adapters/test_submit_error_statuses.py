"""Every server error a billable submit can get, at both providers: held as unknown unless the
status says the request was never acted on (a CDN's 524 after a long generation is not free);
a redirect is the service's trouble, never the user's input."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from imagestudio.adapters.stability.errors import submit_refused
from imagestudio.adapters.wavespeed.errors import submit_refusal
from imagestudio.application.ports.provider import SubmitUnknown
from imagestudio.domain.errors import ProviderErrorKind, ProviderFailed

NEVER_ACTED_ON = {501, 503, 505, 521, 522, 523, 525, 526, 530}
"""Not implemented, unavailable, HTTP version; Cloudflare never reaching the origin."""

Reader = Callable[[httpx.Response], ProviderFailed | SubmitUnknown]
READERS: dict[str, Reader] = {"wavespeed": submit_refusal, "stability": submit_refused}


def _reply(status: int) -> httpx.Response:
    request = httpx.Request("POST", "https://provider.example/submit")
    return httpx.Response(status, text=f"<html>error code: {status}</html>", request=request)


@pytest.mark.parametrize("provider", sorted(READERS))
@pytest.mark.parametrize("status", range(500, 600))
def test_a_server_error_on_submit_is_unknown_unless_it_says_nothing_was_done(
    provider: str, status: int
) -> None:
    outcome = READERS[provider](_reply(status))

    if status in NEVER_ACTED_ON:
        assert isinstance(outcome, ProviderFailed)
        assert outcome.kind is ProviderErrorKind.UNAVAILABLE
    else:
        assert isinstance(outcome, SubmitUnknown), f"HTTP {status} may hide a billed task"
        assert outcome.task_id is None
        assert str(status) in outcome.detail


@pytest.mark.parametrize("provider", sorted(READERS))
@pytest.mark.parametrize("status", range(300, 309))
def test_a_redirected_submit_is_a_definite_failure_of_the_service(
    provider: str, status: int
) -> None:
    outcome = READERS[provider](_reply(status))

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is ProviderErrorKind.UNAVAILABLE, "not the user's input to change"
