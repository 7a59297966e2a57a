"""How a refusal quotes the value it refused: in full when short, cut with an ellipsis when long,
so a 100,000-character tag does not come back whole in the answer, the log line or the terminal
(nor an attacker's payload with it). Every message that quotes a caller's value uses `echoed`."""

from __future__ import annotations

ECHO_CHARS = 80
"""The longest quotation of a refused value, ellipsis included."""


def echoed(value: object) -> str:
    """`repr(value)`, cut to ECHO_CHARS characters with a trailing `…` when longer."""
    shown = repr(value)
    return shown if len(shown) <= ECHO_CHARS else shown[: ECHO_CHARS - 1] + "…"
