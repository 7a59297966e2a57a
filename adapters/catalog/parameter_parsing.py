"""A catalog entry's `parameters` table: the provider parameters the model takes.

    [models.parameters]
    negative_prompt = "text"                 # or "integer", "number", "flag"
    creativity = { number = [0.2, 0.5] }     # a range, bounds included
    grow_mask = { integer = [0, 20] }
    style_preset = { choice = ["anime", "photographic"] }

Left out, the model's parameters are not described and any is passed on (a catalog of a host's
own); the shipped catalog describes every model, an empty table for one that takes none.
"""

from __future__ import annotations

from imagestudio.adapters.catalog.entry_fields import EntryFields
from imagestudio.domain.model_parameters import ModelParameter, ParameterKind

_PLAIN = {kind.value: kind for kind in ParameterKind if kind is not ParameterKind.CHOICE}
_RANGED = (ParameterKind.INTEGER, ParameterKind.NUMBER)
_RESERVED = frozenset({"prompt", "seed", "width", "height", "outputs", "images", "model"})
"""The request's own fields: never a parameter, whatever a provider calls its fields."""


def parse_parameters(fields: EntryFields) -> tuple[ModelParameter, ...] | None:
    if "parameters" not in fields.table:
        return None
    table = fields.sub_table("parameters")
    return tuple(_parameter(table, name) for name in sorted(table.table))


def _parameter(table: EntryFields, name: str) -> ModelParameter:
    if name in _RESERVED:
        raise table.error(name, "is a field of the request itself, not a parameter")
    value = table.table[name]
    if isinstance(value, str):
        if value not in _PLAIN:
            raise table.error(name, f"{value!r} is not one of {', '.join(sorted(_PLAIN))}")
        return ModelParameter(name=name, kind=_PLAIN[value])
    if not isinstance(value, dict) or len(value) != 1:
        raise table.error(
            name, 'must be a kind ("text"), a range ({ number = [0, 1] }) or { choice = [...] }'
        )
    ((kind_name, bounds),) = value.items()
    if kind_name == ParameterKind.CHOICE.value:
        choices = EntryFields(value, table.model_id, f"{table.prefix}{name}.").texts("choice")
        if not choices:
            raise table.error(name, "a choice needs at least one value")
        return ModelParameter(name=name, kind=ParameterKind.CHOICE, choices=choices)
    kind = _PLAIN.get(kind_name)
    numbers = bounds if isinstance(bounds, list) else []
    if (
        kind not in _RANGED
        or len(numbers) != 2
        or not all(isinstance(n, int | float) and not isinstance(n, bool) for n in numbers)
        or numbers[0] > numbers[1]
        or (kind is ParameterKind.INTEGER and not all(isinstance(n, int) for n in numbers))
    ):
        raise table.error(name, "a range is { integer = [low, high] } or { number = [low, high] }")
    assert kind is not None
    return ModelParameter(name=name, kind=kind, minimum=numbers[0], maximum=numbers[1])
