"""Shared pieces of the Stability adapter tests: catalog models, jobs, images, a loopback server."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from functools import cache
from typing import Any

from PIL import Image
from starlette.applications import Starlette

from imagestudio.adapters.catalog.toml_catalog import load_catalog
from imagestudio.adapters.providers.limiter import AccountLimiter
from imagestudio.adapters.sandbox.billing import BilledTask
from imagestudio.adapters.sandbox.config import SandboxConfig, StabilityLimits
from imagestudio.adapters.sandbox.runner import RunningSandbox, ServedApp
from imagestudio.adapters.stability.client import new_client
from imagestudio.adapters.stability.provider import StabilityProvider
from imagestudio.adapters.stability.settings import StabilitySettings
from imagestudio.application.ports.provider import InputImage, ProviderJob
from imagestudio.domain.media import MediaType
from imagestudio.domain.model import Model
from imagestudio.domain.operation import ParameterValue

SECRET_KEY = "sk-test-0123456789abcdef-do-not-leak"


@cache
def stability_models() -> dict[str, Model]:
    """Every Stability model of the packaged catalog, by id."""
    return {m.id: m for m in load_catalog().all() if m.provider == "stability"}


def model(model_id: str) -> Model:
    return stability_models()[f"stability/{model_id}"]


def png(width: int = 256, height: int = 256, color: str = "teal", mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def image_input(
    role: str = "image", width: int = 256, height: int = 256, color: str = "teal"
) -> InputImage:
    return InputImage(
        data=png(width, height, color),
        media_type=MediaType.PNG,
        width=width,
        height=height,
        role=role,
    )


def job(
    model_id: str,
    *,
    prompt: str = "a lighthouse at dusk",
    inputs: tuple[InputImage, ...] = (),
    parameters: Mapping[str, ParameterValue] | None = None,
    width: int = 1024,
    height: int = 1024,
    seed: int | None = 42,
) -> ProviderJob:
    chosen = model(model_id)
    return ProviderJob(
        model=chosen,
        kind=next(iter(chosen.kinds)),
        prompt=prompt,
        inputs=inputs,
        width=width,
        height=height,
        outputs=1,
        seed=seed,
        parameters=dict(parameters or {}),
    )


class RecordingReport:
    """A SubmissionReport that remembers what it was told, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, ...]] = []
        self.progress: list[str] = []

    async def sending(self, task_id: str | None = None) -> None:

        del task_id  # told up front by the offline provider only; not what this records
        self.events.append(("sending",))

    async def accepted(self, task_id: str) -> None:
        self.events.append(("accepted", task_id))

    def progressed(self, detail: str) -> None:
        self.progress.append(detail)

    @property
    def sent(self) -> int:
        return self.events.count(("sending",))


def settings_for(base_url: str, **overrides: Any) -> StabilitySettings:
    """Settings for loopback tests: short waits so a whole test takes well under a second."""
    fast: dict[str, Any] = {
        "api_key": SECRET_KEY,
        "base_url": base_url,
        "request_timeout": 5.0,
        "task_deadline": 5.0,
        "poll_interval": 0.02,
    }
    return StabilitySettings(**{**fast, **overrides})


@asynccontextmanager
async def provider_at(
    settings: StabilitySettings, limiter: AccountLimiter | None = None
) -> AsyncIterator[StabilityProvider]:
    async with new_client(settings) as client:
        yield StabilityProvider(settings, client, limiter)


def with_limits(settings: StabilitySettings, **changes: Any) -> StabilitySettings:
    return dataclasses.replace(settings, **changes)


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """Serve `app` on a free loopback port in a thread; yields its base URL."""
    with ServedApp(app, name="stability-test-server") as served:
        yield served.base_url


class NewBills:
    """What a shared sandbox billed since this was made (tests share one sandbox per module)."""

    def __init__(self, sandbox: RunningSandbox) -> None:
        self._book = sandbox.state.book
        self._before = len(self._book.billed())

    def __call__(self) -> tuple[BilledTask, ...]:
        return self._book.billed()[self._before :]


@contextmanager
def shared_sandbox(config: SandboxConfig | None = None) -> Iterator[RunningSandbox]:
    """A sandbox for a whole module: roomy rate limits, so tests do not lock each other out."""
    roomy = config or SandboxConfig(
        stability=StabilityLimits(requests_per_window=100_000, window_seconds=1.0)
    )
    with RunningSandbox(roomy) as sandbox:
        yield sandbox


@contextmanager
def fresh_faults(sandbox: RunningSandbox) -> Iterator[RunningSandbox]:
    """The sandbox with no fault left over from an earlier test."""
    slow_seconds = sandbox.state.faults.slow_seconds
    sandbox.state.faults.clear()
    try:
        yield sandbox
    finally:
        sandbox.state.faults.clear()
        sandbox.state.faults.slow_seconds = slow_seconds
