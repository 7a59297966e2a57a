"""The parameters a model takes beyond the request's own fields, as its catalog entry describes
them: each name, what kind of value, and its range or choices where known."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class ParameterKind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    FLAG = "flag"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelParameter:
    name: str
    kind: ParameterKind
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (self.kind is ParameterKind.CHOICE) != bool(self.choices):
            raise ValueError(f"{self.name}: choices go with a choice, and only with one")
        ranged = self.minimum is not None or self.maximum is not None
        if ranged and self.kind not in (ParameterKind.INTEGER, ParameterKind.NUMBER):
            raise ValueError(f"{self.name}: only a number has a range")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"{self.name}: its minimum is above its maximum")

    def problem(self, value: object) -> str | None:
        """Why `value` is not one this parameter takes, or None."""
        kind = self.kind
        if kind is ParameterKind.FLAG:
            return None if isinstance(value, bool) else "must be true or false"
        if kind is ParameterKind.TEXT:
            return None if isinstance(value, str) else "must be text"
        if kind is ParameterKind.CHOICE:
            # A choice of digits ("512") given as a number (512) is the same choice.
            given = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
            if given in self.choices:
                return None
            return f"must be one of {', '.join(self.choices)}"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"must be {'a whole number' if kind is ParameterKind.INTEGER else 'a number'}"
        if not math.isfinite(value):  # before int(), which raises on one
            return "must be a finite number"
        if kind is ParameterKind.INTEGER and value != int(value):
            return "must be a whole number"
        low, high = self.minimum, self.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            return f"must be {self.range_text()}"
        return None

    def range_text(self) -> str:
        low, high = (_shown(bound) for bound in (self.minimum, self.maximum))
        if low is not None and high is not None:
            return f"between {low} and {high}"
        return f"at least {low}" if low is not None else f"at most {high}"


def _shown(bound: float | None) -> str | None:
    if bound is None:
        return None
    return str(int(bound)) if bound == int(bound) else f"{bound:g}"
