"""The three paths of the HTTP API benchmark, each making one operation: through the API, on an
`ImageStudio` in this process, and bare httpx calls of the sandbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
from bare_wavespeed import bare_run

from imagestudio.adapters.sandbox.config import SANDBOX_KEY

POLL_SECONDS = 0.02  # the API's first poll (IMAGESTUDIO_WAVESPEED_POLL_SECONDS), and bare's
CONNECTIONS = 200  # the client's pool on both paths (the adapter's own is the same size)
MODEL_ID = "wavespeed/flux-dev"
ROUTE = "wavespeed-ai/flux-dev"
SIZE = 256

Request = Callable[[int], Awaitable[str | None]]  # index → None, or why it failed


def studio_settings(sandbox_url: str) -> dict[str, object]:
    """The API server's settings, and the in-process path's: the real WaveSpeed adapter at the
    sandbox, state in memory, account limits far above the load."""
    return {
        "profile": "test",
        "wavespeed_api_key": SANDBOX_KEY,
        "wavespeed_base_url": sandbox_url,
        "offline_provider": False,
        "wavespeed_concurrent_tasks": 2_000,
        "wavespeed_submits_per_minute": 1_000_000,  # the most the setting takes
        "wavespeed_poll_seconds": POLL_SECONDS,
    }


def _prompt(index: int) -> str:
    return f"a lighthouse at dusk, benchmark {index}"


def client(base_url: str, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {key}"},
        # Idle connections are dropped before uvicorn drops them (5 s): with both at 5 s, a
        # request sent on a connection the server is closing fails with a ReadError.
        limits=httpx.Limits(
            max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS, keepalive_expiry=2
        ),
        timeout=httpx.Timeout(120.0, connect=10.0),
    )


class Api:
    """`POST /v1/operations`, answered once the operation has run."""

    def __init__(self, base_url: str, api_key: str) -> None:
        self.client = client(base_url, api_key)

    async def request(self, index: int) -> str | None:
        response = await self.client.post(
            "/v1/operations",
            json={
                "kind": "text-to-image",
                "model": MODEL_ID,
                "prompt": _prompt(index),
                "width": SIZE,
                "height": SIZE,
            },
        )
        if response.status_code != 200:
            return f"HTTP {response.status_code} {response.text[:80]}"
        operation = response.json()
        if operation["status"] != "succeeded" or len(operation["assets"]) != 1:
            return f"{operation['status']}: {operation.get('error')}"[:120]
        return None


class InProcess:
    """`generate` on an ImageStudio in this process, with the API server's settings: the same
    work without the HTTP layer (and the asset URLs), to tell the two apart."""

    def __init__(self, sandbox_url: str) -> None:
        from imagestudio.entrypoints.api import ImageStudio

        self.studio = ImageStudio.open(**studio_settings(sandbox_url))

    async def request(self, index: int) -> str | None:
        from returns.result import Failure

        from imagestudio.application.use_cases.generate import GenerateRequest

        request = GenerateRequest(
            user_id="local", prompt=_prompt(index), model_id=MODEL_ID, width=SIZE, height=SIZE
        )
        result = await self.studio.generate.execute(request)
        if isinstance(result, Failure):
            return f"{type(result.failure()).__name__}: {result.failure()}"[:120]
        done = result.unwrap()
        if done.operation.status.value != "succeeded" or len(done.assets) != 1:
            return f"{done.operation.status.value}: {done.operation.error}"[:120]
        return None


class Bare:
    """Submit, poll on the adapter's schedule, download: nothing else."""

    def __init__(self, base_url: str) -> None:
        self.client = client(base_url, SANDBOX_KEY)

    async def request(self, index: int) -> str | None:
        body = {
            "prompt": _prompt(index),
            "size": f"{SIZE}*{SIZE}",
            "num_images": 1,
            "seed": -1,
            "output_format": "jpeg",
        }
        return await bare_run(self.client, ROUTE, body, POLL_SECONDS)
