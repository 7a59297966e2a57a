"""How a refusal quotes the value it refused: in full when short, cut with an ellipsis when long,
so a 100,000-character tag does not come back whole in the answer, the log line or the terminal
(nor an attacker's payload with it). Every message that quotes a caller's value uses `echoed`."""

from __future__ import annotations

ECHO_CHARS = 80
"""The longest quotation of a refused value, ellipsis included."""


def echoed(value: object) -> str:
    """`repr(value)`, cut to ECHO_CHARS characters with a trailing `…` when longer."""
    return cut(repr(value))


def cut(text: str) -> str:
    """`text` cut to ECHO_CHARS characters with a trailing `…` when longer: also how a refusal
    names a field whose name the caller chose (a key of their JSON, an argument of a tool)."""
    return text if len(text) <= ECHO_CHARS else text[: ECHO_CHARS - 1] + "…"
