"""Reading one field of a WaveSpeed request body, refusing a wrong one with a 400 that names it."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import TypeGuard

Body = Mapping[str, object]

_SIZE = re.compile(r"^\s*(\d+)\s*\*\s*(\d+)\s*$")


class BadRequest(Exception):
    """The request cannot be accepted as sent: a 400 envelope with this message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def required_text(body: Body, name: str) -> str:
    value = body.get(name)
    if value is None or value == "":
        raise BadRequest(f"{name} is required")
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a string")
    return value


def optional_text(body: Body, name: str) -> str:
    value = body.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a string")
    return value


def integer(body: Body, name: str, *, default: int, low: int, high: int) -> int:
    value = body.get(name, default)
    if value is None:
        return default
    if not _is_number(value) or value != int(value):
        raise BadRequest(f"{name} must be an integer")
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}, not {value}")
    return int(value)


def number(body: Body, name: str, *, default: float, low: float, high: float) -> float:
    value = body.get(name, default)
    if value is None:
        return default
    if not _is_number(value):
        raise BadRequest(f"{name} must be a number")
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low:g} and {high:g}, not {value}")
    return float(value)


def choice(body: Body, name: str, choices: Sequence[str], default: str) -> str:
    value = body.get(name, default)
    if value is None or value == "":
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value not in choices:
        raise BadRequest(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return str(value)


def flag(body: Body, name: str) -> bool:
    value = body.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise BadRequest(f"{name} must be a boolean")
    return value


def size(body: Body, *, low: int, high: int, default: tuple[int, int]) -> tuple[int, int]:
    """`size` as "W*H" (an asterisk, not an x), each side within `low`..`high`."""
    value = body.get("size")
    if value is None or value == "":
        return default
    found = _SIZE.match(value) if isinstance(value, str) else None
    if found is None:
        raise BadRequest(f'size must be "width*height", e.g. "1024*1024", not {value!r}')
    width, height = int(found.group(1)), int(found.group(2))
    if not (low <= width <= high and low <= height <= high):
        raise BadRequest(f"size {width}*{height} is out of range: each side must be {low}-{high}")
    return (width, height)


def _is_number(value: object) -> TypeGuard[int | float]:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))
