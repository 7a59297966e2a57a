"""The one ImageStudio a CLI invocation works with, built from IMAGESTUDIO_* settings."""

from __future__ import annotations

from functools import cache

from imagestudio.entrypoints.api import ImageStudio


@cache
def studio() -> ImageStudio:
    return ImageStudio.open()


def user_or_default(user: str | None) -> str:
    return user or studio().container.settings().default_user
