"""A provider client's connection pool per event loop.

A pooled connection belongs to the event loop that opened it. A studio used from a second loop
(the CLI runs each step in its own `asyncio.run`; a script may call `asyncio.run` twice) sent
its next request on a connection of the first, closed loop: "Event loop is closed" came after
the reservation, so a request that never left was held as an unknown outcome until
reconciliation. Each loop now gets its own pool, made on its first request.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable

import httpx


class PoolPerLoop(httpx.AsyncBaseTransport):
    """An httpx transport that hands each request to the pool of the loop it runs on."""

    def __init__(self, make: Callable[[], httpx.AsyncBaseTransport]) -> None:
        self._make = make
        self._pools: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, httpx.AsyncBaseTransport
        ] = weakref.WeakKeyDictionary()

    def _pool(self) -> httpx.AsyncBaseTransport:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None:
            pool = self._pools[loop] = self._make()
        return pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._pool().handle_async_request(request)

    async def aclose(self) -> None:
        """Close this loop's pool. A pool of a loop that has stopped cannot be closed from here
        (its connections' transports call back into their own loop): it is dropped, and its
        sockets close when it is collected."""
        here = asyncio.get_running_loop()
        pools = dict(self._pools)
        self._pools.clear()
        for loop, pool in pools.items():
            if loop is here:
                await pool.aclose()
