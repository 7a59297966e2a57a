"""Text a database cannot hold names nothing stored in it.

PostgreSQL refuses a NUL in text and no driver can send a lone surrogate (it is not UTF-8), so
a read given such text would raise the driver's error where the in-memory stores simply find
nothing. Every SQL reader that looks up by text a caller chose asks `unstorable` first and
answers as for text that matches nothing — the same answer, on every store, as the ports say.
"""

from __future__ import annotations

from imagestudio.application.input_rules import text_problem


def unstorable(*texts: str | None) -> bool:
    """Whether any of the texts (None: not given) could never have been stored."""
    return any(text is not None and text_problem(text) is not None for text in texts)
