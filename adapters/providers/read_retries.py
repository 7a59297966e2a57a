"""Read-only calls (polls, downloads, balances) retried on 429, 5xx and connection errors.

A billable submission never goes through here: it is sent exactly once. Retries use stamina
(jittered exponential back-off), honour `Retry-After`, and stop at the operation's deadline.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from email.utils import parsedate_to_datetime

import httpx
import stamina

from imagestudio.adapters.providers.deadline import Deadline, DeadlinePassed

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
READ_ATTEMPTS = 6


class RetryableStatus(Exception):
    """A reply worth asking again for; carries it so the last one can be reported."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code} from {response.request.url.path}")
        self.response = response


def retry_after_seconds(response: httpx.Response) -> float | None:
    """`Retry-After` as seconds (a number or an HTTP date), or None when absent or unreadable."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def retry_backoff(error: BaseException) -> bool | float:
    """stamina's verdict on a failed attempt: retry (after `Retry-After` when given) or not."""
    if isinstance(error, RetryableStatus):
        hinted = retry_after_seconds(error.response)
        return True if hinted is None else hinted
    return isinstance(error, httpx.TransportError)


async def get_with_retries(
    client: httpx.AsyncClient,
    url: str,
    *,
    deadline: Deadline,
    headers: Mapping[str, str] | None = None,
    read_timeout: float | None = None,
    attempts: int = READ_ATTEMPTS,
    wait_initial: float = 0.5,
    wait_max: float = 10.0,
    before_attempt: Callable[[], Awaitable[None]] | None = None,
) -> httpx.Response:
    """GET `url`, retrying what is worth retrying within `deadline` (see `send_with_retries`)."""
    return await send_with_retries(
        client,
        "GET",
        url,
        deadline=deadline,
        headers=headers,
        read_timeout=read_timeout,
        attempts=attempts,
        wait_initial=wait_initial,
        wait_max=wait_max,
        before_attempt=before_attempt,
    )


async def send_with_retries(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    deadline: Deadline,
    headers: Mapping[str, str] | None = None,
    files: Mapping[str, tuple[str, bytes, str]] | None = None,
    read_timeout: float | None = None,
    attempts: int = READ_ATTEMPTS,
    wait_initial: float = 0.5,
    wait_max: float = 10.0,
    before_attempt: Callable[[], Awaitable[None]] | None = None,
) -> httpx.Response:
    """Send a request that creates nothing billable, retrying what is worth retrying.

    Only for reads and for uploads that cost nothing: never for a billable submission.
    Returns the first reply that is not retryable (a 200, a 404…), or the last retryable one
    when attempts or time run out. Raises httpx.TransportError if the last attempt could not
    connect, and DeadlinePassed if no time was left to try at all or a reply was still coming
    when the deadline passed. `before_attempt` is awaited
    before every attempt (an account limiter's admission: each retry is a request too); what
    it raises is not retried.
    """
    if deadline.passed:  # the request's name is parsed only to say so (a URL parse per call)
        deadline.check(_what(method, url))

    async def attempt_once() -> httpx.Response:
        if before_attempt is not None:
            await before_attempt()
        left = max(deadline.remaining(), 0.01)
        try:
            # httpx's timeouts are per read: a reply dripping a byte at a time would outlast
            # them all, and the deadline with them. The whole attempt stays within the deadline.
            async with asyncio.timeout(left):
                response = await client.request(
                    method,
                    url,
                    headers=dict(headers or {}),
                    files=dict(files) if files is not None else None,
                    timeout=min(read_timeout or left, left),
                )
        except TimeoutError:
            raise DeadlinePassed(
                f"{_what(method, url)}: the reply outlasted the deadline"
            ) from None
        except (httpx.DecodingError, httpx.TooManyRedirects) as unreadable:
            # Not transport errors to httpx (a body its content-encoding does not decode, a
            # redirect loop), but the same to a reader: no reply to use, worth asking again.
            named = f"{type(unreadable).__name__}: {unreadable}"
            raise httpx.RemoteProtocolError(named) from unreadable
        if response.status_code in RETRYABLE_STATUSES:
            await response.aread()
            raise RetryableStatus(response)
        return response

    # The first attempt runs bare: most reads succeed at once, and setting up stamina's retry
    # state cost more than the rest of a poll's own Python. A failure worth retrying is then
    # handed to stamina as its own first attempt, so the back-off, `Retry-After` and the
    # attempt count are exactly stamina's.
    try:
        return await attempt_once()
    except (RetryableStatus, httpx.TransportError) as error:
        first: Exception | None = error
    try:
        async for attempt in stamina.retry_context(
            on=retry_backoff,
            attempts=attempts,
            timeout=deadline.remaining(),
            wait_initial=wait_initial,
            wait_max=wait_max,
        ):
            with attempt:
                if first is not None:
                    failed, first = first, None
                    raise failed
                return await attempt_once()
    except RetryableStatus as exhausted:
        return exhausted.response
    raise DeadlinePassed(f"{_what(method, url)}: no attempt was made")  # pragma: no cover


def _what(method: str, url: str) -> str:
    return f"{method} {httpx.URL(url).path}"
