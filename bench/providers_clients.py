"""The two clients measured, doing the same job (`wavespeed/flux-dev` at 256×256): the adapter
(`generate` through ImageStudio) and the bare httpx loop, each counting the requests it sends."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
from bare_wavespeed import bare_run

from imagestudio.adapters.sandbox.config import SANDBOX_KEY

POLL_SECONDS = 0.1
CONNECTIONS = 200  # the adapter's pool: min(max(20, 4 × concurrent tasks), 200)
MODEL_ID = "wavespeed/flux-dev"
ROUTE = "wavespeed-ai/flux-dev"
SIZE = 256

Operation = Callable[[int], Awaitable[str | None]]  # index → None, or why it failed


def _prompt(index: int) -> str:
    return f"a lighthouse at dusk, benchmark {index}"


def job_body(index: int) -> dict[str, object]:
    """What the adapter sends for this job (adapters/wavespeed/requests.py)."""
    return {
        "prompt": _prompt(index),
        "size": f"{SIZE}*{SIZE}",
        "num_images": 1,
        "seed": -1,
        "output_format": "jpeg",
    }


class RequestCounter:
    """An httpx request hook counting what a client sends (the same hook on both paths)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.sent = 0
        hooks = client.event_hooks
        hooks["request"] = [*hooks.get("request", []), self._count]
        client.event_hooks = hooks

    async def _count(self, _: httpx.Request) -> None:
        self.sent += 1


class Bare:
    """Submit, poll on the adapter's schedule, download: nothing else."""

    def __init__(self, base_url: str) -> None:
        self.client = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {SANDBOX_KEY}"},
            limits=httpx.Limits(
                max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS // 2
            ),
            timeout=httpx.Timeout(120.0, connect=10.0),
        )
        self.counter = RequestCounter(self.client)

    async def operation(self, index: int) -> str | None:
        return await bare_run(self.client, ROUTE, job_body(index), POLL_SECONDS)

    async def close(self) -> None:
        await self.client.aclose()

    def stored_bytes(self) -> int:
        return 0


class Adapter:
    """`generate` through ImageStudio (test profile) and the real WaveSpeed adapter."""

    def __init__(self, base_url: str) -> None:
        from imagestudio.entrypoints.api import ImageStudio

        self.studio = ImageStudio.open(
            profile="test",
            wavespeed_api_key=SANDBOX_KEY,
            wavespeed_base_url=base_url,
            wavespeed_poll_seconds=POLL_SECONDS,
            wavespeed_concurrent_tasks=2_000,
            wavespeed_submits_per_minute=1_000_000,  # the most the setting takes
            provider_deadline_seconds=600,
        )
        self._stored = 0
        self.counter = RequestCounter(self.studio.container.wavespeed_http())

    async def start(self) -> None:
        await self.studio.start()
        # `local` (the default user's plan) has no limits: nothing below queues on the quota.
        plans = await self.studio.list_plans.execute()
        local = next(plan for plan in plans if plan.name == "local")
        limits = (local.concurrent_operations, local.requests_per_minute, local.spend_cap)
        assert all(limit.is_unlimited for limit in limits), local

    async def operation(self, index: int) -> str | None:
        from returns.result import Failure

        from imagestudio.application.use_cases.generate import GenerateRequest
        from imagestudio.domain.operation import OperationStatus

        result = await self.studio.generate.execute(
            GenerateRequest(
                user_id="local",
                prompt=_prompt(index),
                model_id=MODEL_ID,
                width=SIZE,
                height=SIZE,
            )
        )
        if isinstance(result, Failure):
            return f"{type(result.failure()).__name__}: {result.failure()}"[:120]
        done = result.unwrap()
        if done.operation.status is not OperationStatus.SUCCEEDED or len(done.assets) != 1:
            return f"operation {done.operation.status}: {done.failed_outputs}"[:120]
        self._stored += done.assets[0].size_bytes
        return None

    async def close(self) -> None:
        await self.studio.aclose()

    def stored_bytes(self) -> int:
        return self._stored
