"""The one ImageStudio a CLI invocation works with, built from IMAGESTUDIO_* settings."""

from __future__ import annotations

import asyncio
from functools import cache

from imagestudio.entrypoints.api import ImageStudio


@cache
def unstarted_studio() -> ImageStudio:
    """Built but not started: for `db` commands, which must work on an out-of-date schema."""
    # Each command runs its own event loop(s): pooled connections would outlive theirs.
    return ImageStudio.open(database_pool=False)


@cache
def studio() -> ImageStudio:
    """Started: the schema is current and the default user exists."""
    return asyncio.run(unstarted_studio().start())


def user_or_default(user: str | None) -> str:
    return user or unstarted_studio().container.settings().default_user
