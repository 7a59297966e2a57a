"""The names every asset store accepts as an owner or an asset id: one safe path segment."""

from __future__ import annotations

import re

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}")


def checked_name(what: str, name: str) -> str:
    """`name` itself when it is safe as a file name or an object key segment; ValueError if not.

    Letters, digits, `_ . @ -`, at most 128 characters, never starting with a dot (so never
    `.` or `..`), never a separator.
    """
    if name in (".", "..") or not _NAME.fullmatch(name):
        raise ValueError(f"{what} {name!r} is not a safe name")
    return name
