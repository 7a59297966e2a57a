"""Keeping the API key out of every text the adapter hands back, whatever a server echoed."""

from __future__ import annotations

import dataclasses
from typing import TypeVar

T = TypeVar("T")

MASK = "***"


def redact(text: str, secret: str) -> str:
    return text.replace(secret, MASK) if secret else text


def redacted(outcome: T, secret: str) -> T:
    """`outcome` with the secret masked in its `detail`, if it has one."""
    detail = getattr(outcome, "detail", None)
    if not isinstance(detail, str) or not secret or secret not in detail:
        return outcome
    return dataclasses.replace(outcome, detail=redact(detail, secret))  # type: ignore[type-var]
