"""POSTing webhooks with httpx, to the address the destination check passed and nowhere else.

The name is resolved and checked at each attempt (it may point elsewhere since the request);
the connection then goes to that very address, with the original name as Host and as the TLS
server name (so the certificate is checked for the name), and a redirect is an answer, never
followed: a receiver cannot steer the request to an address that was not checked.

Only the status line and headers are read, never the body, and the whole attempt has one
deadline: httpx's timeouts are per read, so a receiver trickling a byte at a time, or streaming
an endless body, would otherwise hold the attempt (and its memory) for ever, and past the
worker's hold on the delivery, when another worker would send it again.
"""

from __future__ import annotations

import asyncio

import httpx

from imagestudio.adapters.webhooks.destinations import Destinations, Resolved
from imagestudio.application.ports.webhooks import Sent

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
DEADLINE_SECONDS = 20.0
"""The longest one attempt may take, all in: well within the worker's 60 s hold."""


class PinnedTransport(httpx.AsyncBaseTransport):
    """Connects to `resolved.address` whatever the URL's host; Host and SNI keep the name."""

    def __init__(self, resolved: Resolved) -> None:
        self._resolved = resolved
        self._inner = httpx.AsyncHTTPTransport(retries=0)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        resolved = self._resolved
        if request.url.host != resolved.host:  # never: redirects are not followed
            raise httpx.ConnectError(f"{request.url.host} was not checked")
        request.url = request.url.copy_with(host=resolved.address)
        request.extensions = {**request.extensions, "sni_hostname": resolved.host}
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


class HttpWebhookSender:
    """The `WebhookSender` port."""

    def __init__(
        self, destinations: Destinations, *, deadline_seconds: float = DEADLINE_SECONDS
    ) -> None:
        self._destinations = destinations
        self._deadline = deadline_seconds

    async def post(self, url: str, headers: dict[str, str], body: bytes) -> Sent:
        resolved = await self._destinations.resolve(url)
        if isinstance(resolved, str):
            return Sent(None, f"destination refused: {resolved}")
        try:
            async with asyncio.timeout(self._deadline):
                return Sent(await _status(resolved, url, headers, body))
        except TimeoutError:
            return Sent(None, f"no answer within {self._deadline:g} s")
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            return Sent(None, f"{type(error).__name__}: {error}"[:500])


async def _status(resolved: Resolved, url: str, headers: dict[str, str], body: bytes) -> int:
    """The receiver's status code; its body is left unread (the connection is dropped).

    Sent through the transport, not a client: httpx's client logs each request's whole URL,
    and a receiver's URL often holds its own token (in its path or query)."""
    request = httpx.Request(
        "POST", url, headers=headers, content=body, extensions={"timeout": TIMEOUT.as_dict()}
    )
    transport = PinnedTransport(resolved)
    try:
        response = await transport.handle_async_request(request)
        await response.aclose()
        return response.status_code
    finally:
        await transport.aclose()
