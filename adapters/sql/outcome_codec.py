"""A stored outcome (the replay of an idempotency key) as JSON text and back, exactly.

A success keeps its whole `OperationResult`; a failure keeps the domain error's class name and
its fields. Every error of the `OperationError` union is known here by enumeration, so a new
error needs no new code as long as its fields are text, numbers, flags, datetimes, enums or
optional ones of those; anything else is refused when encoding, never silently mangled.
"""

from __future__ import annotations

import dataclasses
import json
import types
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any, Union, get_args, get_origin, get_type_hints

from returns.result import Failure, Success

from imagestudio.adapters.sql.operation_codec import (
    asset_from_dict,
    asset_to_dict,
    operation_from_dict,
    operation_to_dict,
)
from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.requests import OperationResult
from imagestudio.domain.errors import OperationError

_ERRORS: dict[str, type[Any]] = {cls.__name__: cls for cls in get_args(OperationError)}
_PLAIN = (str, int, float, bool)


def encode_outcome(outcome: StoredOutcome) -> str:
    match outcome:
        case Success(result):
            return json.dumps({"success": result_to_dict(result)}, sort_keys=True)
        case Failure(error):
            return json.dumps({"failure": error_to_dict(error)}, sort_keys=True)
    raise TypeError(f"not a stored outcome: {outcome!r}")  # pragma: no cover


def decode_outcome(text: str) -> StoredOutcome:
    data = json.loads(text)
    if "success" in data:
        return Success(result_from_dict(data["success"]))
    return Failure(error_from_dict(data["failure"]))


def result_to_dict(result: OperationResult) -> dict[str, Any]:
    return {
        "operation": operation_to_dict(result.operation),
        "assets": [asset_to_dict(asset) for asset in result.assets],
        "charged": result.charged,
        "failed_outputs": list(result.failed_outputs),
    }


def result_from_dict(data: dict[str, Any]) -> OperationResult:
    return OperationResult(
        operation=operation_from_dict(data["operation"]),
        assets=tuple(asset_from_dict(asset) for asset in data["assets"]),
        charged=data["charged"],
        failed_outputs=tuple(data["failed_outputs"]),
    )


def error_to_dict(error: OperationError) -> dict[str, Any]:
    kind = type(error).__name__
    if _ERRORS.get(kind) is not type(error):
        raise TypeError(f"{kind} is not one of the OperationError union")
    hints = _hints(type(error))
    return {
        "type": kind,
        "fields": {
            field.name: _encode_value(getattr(error, field.name), hints[field.name], kind)
            for field in dataclasses.fields(error)
        },
    }


def error_from_dict(data: dict[str, Any]) -> OperationError:
    cls = _ERRORS.get(data["type"])
    if cls is None:
        raise ValueError(f"unknown stored error {data['type']!r}")
    hints = _hints(cls)
    make: Callable[..., OperationError] = cls
    return make(
        **{name: _decode_value(value, hints[name]) for name, value in data["fields"].items()}
    )


def _hints(cls: type[Any]) -> dict[str, Any]:
    return get_type_hints(cls)


def _options(hint: Any) -> tuple[Any, ...]:
    """The types a field may hold: `str | None` → (str, NoneType)."""
    if get_origin(hint) in (Union, types.UnionType):
        return get_args(hint)
    return (hint,)


def _encode_value(value: Any, hint: Any, kind: str) -> Any:
    for option in _options(hint):
        if option is type(None) and value is None:
            return None
        if not isinstance(option, type) or option is type(None):
            continue
        if issubclass(option, Enum) and isinstance(value, option):
            return value.value
        if option is datetime and isinstance(value, datetime):
            return value.isoformat()
        if option in _PLAIN and _is_plain(value, option):
            return value
    if _is_texts(hint) and isinstance(value, tuple) and all(type(v) is str for v in value):
        return list(value)
    raise TypeError(f"{kind}: cannot store {value!r} as {hint!r}")


def _decode_value(value: Any, hint: Any) -> Any:
    options = _options(hint)
    if value is None and type(None) in options:
        return None
    for option in options:
        if not isinstance(option, type) or option is type(None):
            continue
        if issubclass(option, Enum):
            return option(value)
        if option is datetime:
            return datetime.fromisoformat(value)
        if option in _PLAIN and _is_plain(value, option):
            return value
    if _is_texts(hint) and isinstance(value, list) and all(type(v) is str for v in value):
        return tuple(value)
    raise TypeError(f"cannot read {value!r} as {hint!r}")


def _is_texts(hint: Any) -> bool:
    """`tuple[str, ...]`: names a refusal lists (the parameters a model takes), kept as a list."""
    return get_origin(hint) is tuple and get_args(hint) == (str, ...)


def _is_plain(value: Any, option: type[Any]) -> bool:
    """Exactly this type (a flag is not a number, an enum is not text); an int is a float."""
    if option is float and type(value) is int:
        return True
    return type(value) is option
