"""The one ImageStudio a CLI invocation works with, built from IMAGESTUDIO_* settings.

The container (and with it the database and provider libraries) is imported on first use, so a
command that never reaches here — `--help`, a usage error — starts without them."""

from __future__ import annotations

import asyncio
import sys
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from imagestudio.entrypoints.api import ImageStudio

# dependency_injector's wiring imports these, when installed, to recognise their markers in the
# functions it wires. Our container wires no function and a CLI command serves no web app, so
# they are hidden while it loads: a fifth of a command's start-up (bench/cli_startup.py).
_WEB_FRAMEWORKS = ("fastapi", "starlette", "werkzeug", "fast_depends")


@cache
def unstarted_studio() -> ImageStudio:
    """Built but not started: for `db` commands, which must work on an out-of-date schema."""
    hidden = []
    if "dependency_injector.wiring" not in sys.modules:
        hidden = [name for name in _WEB_FRAMEWORKS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # None here reads "not installed"
    try:
        from imagestudio.entrypoints.api import ImageStudio
    finally:
        for name in hidden:
            del sys.modules[name]
    # Each command runs its own event loop(s): pooled connections would outlive theirs.
    return ImageStudio.open(database_pool=False)


@cache
def studio() -> ImageStudio:
    """Started: the schema is current and the default user exists."""
    return asyncio.run(unstarted_studio().start())


def user_or_default(user: str | None) -> str:
    # Only a --user left out means the default user: `--user ""` (an unset shell variable) ran,
    # and was charged, as the default user; now it is a user no one is.
    if user is not None:
        return user
    return unstarted_studio().container.settings().default_user
