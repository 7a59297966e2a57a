"""The pooled HTTP client one Stability account's provider shares across its operations."""

from __future__ import annotations

import httpx

from imagestudio.adapters.providers.loop_pools import PoolPerLoop
from imagestudio.adapters.stability.settings import StabilitySettings


def new_client(settings: StabilitySettings) -> httpx.AsyncClient:
    """A pooled client for one Stability account: its base URL and its bearer key."""
    headers = {"authorization": f"Bearer {settings.api_key}"}
    if settings.client_id:
        headers["stability-client-id"] = settings.client_id
    return httpx.AsyncClient(
        base_url=settings.base_url,
        headers=headers,
        timeout=httpx.Timeout(settings.request_timeout),
        transport=PoolPerLoop(
            lambda: httpx.AsyncHTTPTransport(
                limits=httpx.Limits(
                    max_connections=2 * settings.concurrent_tasks,
                    max_keepalive_connections=settings.concurrent_tasks,
                )
            )
        ),
    )
