"""An ImageStudio on the `sandbox` profile (real adapters, real SQLite) against a live sandbox."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from PIL import Image

from imagestudio.adapters.sandbox.config import SandboxConfig
from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.settings import Profile

USER = "local"


@asynccontextmanager
async def sandbox_studio(
    data_dir: Path, config: SandboxConfig | None = None, **settings: Any
) -> AsyncIterator[tuple[ImageStudio, RunningSandbox]]:
    with RunningSandbox(config or SandboxConfig(latency_seconds=0.05)) as sandbox:
        studio = await ImageStudio.connect(
            profile=Profile.SANDBOX, sandbox_url=sandbox.base_url, data_dir=data_dir, **settings
        )
        try:
            yield studio, sandbox
        finally:
            await studio.aclose()


async def held_and_spent(studio: ImageStudio) -> tuple[int, int]:
    """The default user's spend this period: what is held, what is used."""
    usage = (await studio.usage.execute(USER)).unwrap()
    spend = next(row for row in usage.rows if row.name == "spend")
    return spend.held, spend.used


def png(width: int = 256, height: int = 256, colour: str = "teal") -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (width, height), colour)
    image.paste((240, 200, 40), (width // 4, height // 4, width // 2, height // 2))
    image.save(buffer, "PNG")
    return buffer.getvalue()
