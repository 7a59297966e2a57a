"""Running the WaveSpeed adapter against the sandbox's emulator, and reading its books."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from wavespeed_test_support import settings

from imagestudio.adapters.providers.limiter import AccountLimiter
from imagestudio.adapters.sandbox.billing import BilledTask
from imagestudio.adapters.sandbox.config import SANDBOX_KEY, SandboxConfig
from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.adapters.wavespeed.client import new_client
from imagestudio.adapters.wavespeed.provider import WaveSpeedProvider


@asynccontextmanager
async def adapter_on_sandbox(
    config: SandboxConfig | None = None,
    *,
    limiter: AccountLimiter | None = None,
    api_key: str = SANDBOX_KEY,
    **overrides: Any,
) -> AsyncIterator[tuple[WaveSpeedProvider, RunningSandbox]]:
    """A sandbox on loopback and a provider (with its own pooled client) pointed at it."""
    with RunningSandbox(config or SandboxConfig()) as sandbox:
        async with provider_on(sandbox, limiter=limiter, api_key=api_key, **overrides) as provider:
            yield provider, sandbox


@asynccontextmanager
async def provider_on(
    sandbox: RunningSandbox,
    *,
    limiter: AccountLimiter | None = None,
    api_key: str = SANDBOX_KEY,
    **overrides: Any,
) -> AsyncIterator[WaveSpeedProvider]:
    """A provider (with its own pooled client) pointed at a sandbox that is already running."""
    chosen = settings(sandbox.base_url, api_key=api_key, **overrides)
    async with new_client(chosen) as client:
        yield WaveSpeedProvider(chosen, client, limiter)


def billed_now(sandbox: RunningSandbox) -> int:
    return len(sandbox.state.book.billed("wavespeed"))


async def billed_tasks(
    sandbox: RunningSandbox, count: int, within: float = 3.0
) -> tuple[BilledTask, ...]:
    """The sandbox's WaveSpeed charges, once there are `count` of them (or the time is up)."""
    until = time.monotonic() + within
    billed = sandbox.state.book.billed("wavespeed")
    while len(billed) < count and time.monotonic() < until:
        await asyncio.sleep(0.02)
        billed = sandbox.state.book.billed("wavespeed")
    return billed
