"""A whole number in a request body or a tool's arguments. Read as pydantic reads an int (a form
field's "2" is 2), except JSON's `true` and `false`, which its lax mode takes for 1 and 0: a
plan's `retention_days: true` kept every asset one day, and `seed: false` was a seed."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError


def _no_boolean(value: object) -> object:
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer, not a boolean")
    return value


NO_BOOLEAN = BeforeValidator(_no_boolean)
"""For a whole number whose bounds are in the same `Annotated`: put it after their `Field`
(`Annotated[int | None, Field(ge=0), NO_BOOLEAN]`). A `Field` wrapped around `WholeNumberOrNone`
applies its bounds to None too, and None then fails with a TypeError (a 500), not a default."""
WholeNumber = Annotated[int, NO_BOOLEAN]
WholeNumberOrNone = Annotated[int | None, NO_BOOLEAN]
"""Around the union, so that a field's bounds stay `minimum` and `maximum` in its JSON schema."""
