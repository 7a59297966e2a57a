"""Shared by the WaveSpeed adapter tests: catalog models, jobs, a recording report, a server."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from PIL import Image
from starlette.types import ASGIApp

from imagestudio.adapters.catalog import load_catalog
from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.adapters.wavespeed.settings import WaveSpeedSettings
from imagestudio.application.ports.provider import InputImage, ProviderJob
from imagestudio.domain.media import MediaType
from imagestudio.domain.model import Model
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind

CATALOG = load_catalog()
STUB_KEY = "ws-test-key-7f3a9c1e5b"
"""The stub servers' key: distinctive, so a leak of it into any text is easy to find."""


def model(model_id: str) -> Model:
    found = CATALOG.get(model_id)
    assert found is not None, f"{model_id} is not in the packaged catalog"
    return found


def png(width: int = 64, height: int = 48, color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def input_image(
    role: str = "image", width: int = 64, height: int = 48, color: tuple[int, int, int] = (1, 2, 3)
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
    kind: OperationKind | None = None,
    prompt: str = "a red fox in the snow",
    inputs: tuple[InputImage, ...] = (),
    width: int = 1024,
    height: int = 1024,
    outputs: int = 1,
    seed: int | None = None,
    parameters: Mapping[str, ParameterValue] | None = None,
) -> ProviderJob:
    """A job for a catalog model; the kind defaults to the model's only one."""
    chosen = model(model_id)
    if kind is None:
        (kind,) = chosen.kinds
    return ProviderJob(
        model=chosen,
        kind=kind,
        prompt=prompt,
        inputs=inputs,
        width=width,
        height=height,
        outputs=outputs,
        seed=seed,
        parameters=dict(parameters or {}),
    )


def settings(base_url: str, *, api_key: str = STUB_KEY, **overrides: Any) -> WaveSpeedSettings:
    """Settings with short waits, for tests."""
    values: dict[str, Any] = {
        "poll_interval": 0.02,
        "poll_interval_max": 0.05,
        "task_deadline": 10.0,
        "submit_timeout": 5.0,
        "download_timeout": 5.0,
        "submits_per_minute": 1000,
        "concurrent_tasks": 50,
    }
    values.update(overrides)
    return WaveSpeedSettings(api_key=api_key, base_url=base_url, **values)


@dataclass
class RecordingReport:
    """A SubmissionReport that remembers what it was told, in order."""

    events: list[str] = field(default_factory=list)
    task_ids: list[str] = field(default_factory=list)
    progress: list[str] = field(default_factory=list)

    async def sending(self, task_id: str | None = None) -> None:

        del task_id  # told up front by the offline provider only; not what this records
        self.events.append("sending")

    async def accepted(self, task_id: str) -> None:
        self.events.append("accepted")
        self.task_ids.append(task_id)

    def progressed(self, detail: str) -> None:
        self.progress.append(detail)


class StubServer(ServedApp):
    """A purpose-built ASGI app served by uvicorn on loopback, in a thread, on a free port."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app, name="stub")

    def __enter__(self) -> StubServer:
        super().__enter__()
        return self
