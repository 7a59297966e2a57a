"""POSTing webhooks with httpx, to the address the destination check passed and nowhere else.

The name is resolved and checked at each attempt (it may point elsewhere since the request);
the connection then goes to that very address, with the original name as Host and as the TLS
server name (so the certificate is checked for the name), and a redirect is an answer, never
followed: a receiver cannot steer the request to an address that was not checked.
"""

from __future__ import annotations

import httpx

from imagestudio.adapters.webhooks.destinations import Destinations, Resolved
from imagestudio.application.ports.webhooks import Sent

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


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

    def __init__(self, destinations: Destinations) -> None:
        self._destinations = destinations

    async def post(self, url: str, headers: dict[str, str], body: bytes) -> Sent:
        resolved = await self._destinations.resolve(url)
        if isinstance(resolved, str):
            return Sent(None, f"destination refused: {resolved}")
        transport = PinnedTransport(resolved)
        try:
            async with httpx.AsyncClient(
                transport=transport, follow_redirects=False, timeout=TIMEOUT
            ) as client:
                response = await client.post(url, content=body, headers=headers)
        except httpx.HTTPError as error:
            return Sent(None, f"{type(error).__name__}: {error}"[:500])
        return Sent(response.status_code)
