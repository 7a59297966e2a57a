"""One field of a kind page's form: what it shows, where its value goes in the request, and
the modes that use it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Widget(StrEnum):
    IMAGE = "image"
    MASK = "mask"
    TEXT = "text"
    TEXTAREA = "textarea"
    NUMBER = "number"
    SELECT = "select"


class Target(StrEnum):
    """Where a field's value goes in the operation's request."""

    IMAGE = "image"
    PROMPT = "prompt"
    SEED = "seed"
    PARAMETER = "parameter"


@dataclass(frozen=True, slots=True, kw_only=True)
class FormField:
    name: str
    """The form field's name: an image's role, `prompt`, `seed` or the parameter's name."""
    label: str
    widget: Widget
    target: Target
    required: bool = False
    hint: str = ""
    choices: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None
    max_length: int | None = None
    modes: tuple[str, ...] = ()
    """The modes that use the field (empty: every mode); other modes leave it out."""

    def applies(self, mode: str | None) -> bool:
        return not self.modes or mode in self.modes
