"""Picklable pieces of image work for the workers' tests (a child process imports them)."""

from __future__ import annotations

import os
import time

from returns.result import Failure, Result, Success

from imagestudio.application.ports.image_processor import ProcessedImage
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.media import MediaType


def echo(data: bytes) -> Result[ProcessedImage, InvalidInput]:
    """The bytes back, with the process that did the work as the width."""
    return Success(ProcessedImage(data=data, media_type=MediaType.PNG, width=os.getpid(), height=1))


def refuse(data: bytes) -> Result[ProcessedImage, InvalidInput]:
    return Failure(InvalidInput("image", f"{len(data)} bytes refused"))


def sleep_then_echo(data: bytes) -> Result[ProcessedImage, InvalidInput]:
    """Sleeps `data` (a number of seconds as text), then answers with its start and end."""
    started = time.monotonic()
    time.sleep(float(data))
    return Success(
        ProcessedImage(
            data=f"{started} {time.monotonic()}".encode(),
            media_type=MediaType.PNG,
            width=os.getpid(),
            height=1,
        )
    )


def die(data: bytes) -> Result[ProcessedImage, InvalidInput]:  # noqa: ARG001
    os._exit(3)


def crash(data: bytes) -> Result[ProcessedImage, InvalidInput]:  # noqa: ARG001
    raise ValueError("a bug in the work")
