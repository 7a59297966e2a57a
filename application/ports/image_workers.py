"""Where image work runs: off the event loop, a bounded number at a time, for a bounded time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from returns.result import Result

from imagestudio.application.ports.image_processor import ProcessedImage
from imagestudio.domain.errors import InvalidInput

ImageWork = Callable[[bytes], Result[ProcessedImage, InvalidInput]]
"""One piece of work on an image's bytes. Workers that run it in another process need it
picklable (a `functools.partial` of a processor's method, never a lambda)."""


class ImageWorkers(Protocol):
    async def run(self, work: ImageWork, data: bytes) -> Result[ProcessedImage, InvalidInput]:
        """`work(data)`, waiting its turn without holding the event loop; work that runs past
        the workers' time limit is stopped and refused as too large for this service."""
        ...
