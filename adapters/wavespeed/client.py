"""The pooled HTTP client one WaveSpeed provider shares across all its operations."""

from __future__ import annotations

import httpx

from imagestudio.adapters.providers.loop_pools import PoolPerLoop
from imagestudio.adapters.wavespeed.settings import WaveSpeedSettings

CONNECT_TIMEOUT = 10.0


def new_client(settings: WaveSpeedSettings) -> httpx.AsyncClient:
    """The pooled client one provider shares across all its operations.

    Every request has an explicit timeout, so the client's own is only a backstop. The key is
    a default header for WaveSpeed's own host only: output URLs live on other hosts (CDNs),
    and a request hook keeps the key off them.
    """
    home = httpx.URL(settings.base_url)

    async def keep_key_home(request: httpx.Request) -> None:
        url = request.url
        if (url.scheme, url.host, url.port) != (home.scheme, home.host, home.port):
            request.headers.pop("Authorization", None)

    connections = min(max(20, settings.concurrent_tasks * 4), 200)
    return httpx.AsyncClient(
        base_url=settings.base_url,
        headers={
            "Authorization": f"Bearer {settings.api_key}",
            "User-Agent": "imagestudio-wavespeed",
            "X-Client-Name": "imagestudio",
        },
        transport=PoolPerLoop(
            lambda: httpx.AsyncHTTPTransport(
                limits=httpx.Limits(
                    max_connections=connections,
                    max_keepalive_connections=connections // 2,
                    # Shorter than common server idle time-outs (uvicorn's 5 s, many proxies'
                    # 60 s): a submit sent on a connection the server is just closing fails
                    # after sending, and a billable submit is never retried, so it would end
                    # as an unknown outcome.
                    keepalive_expiry=4.0,
                )
            )
        ),
        timeout=httpx.Timeout(settings.submit_timeout, connect=CONNECT_TIMEOUT),
        follow_redirects=True,
        event_hooks={"request": [keep_key_home]},
    )
