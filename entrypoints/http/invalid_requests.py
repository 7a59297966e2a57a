"""How every route answers a request whose shape is wrong: one problem naming the field and the
rule it broke, whoever found it (FastAPI's own parameter checks, a model read by a route, a body
that is not JSON at all)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException

from imagestudio.domain.errors.echo import cut
from imagestudio.entrypoints.http.problems import Problem

MAX_LISTED = 20
"""The errors an answer lists; the first is in `detail`, `field` and `reason`."""
Model = TypeVar("Model", bound=BaseModel)


class BodyRefused(HTTPException):
    """A request refused for its body: an HTTPException, so that FastAPI's own body reading
    lets it through (anything else raised there becomes a vague 400)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.status, problem.detail)
        self.problem = problem


def field_name(loc: Sequence[Any]) -> str:
    """`images[0].base64` for ("body", "images", 0, "base64"); parameters outside the body keep
    where they came from (`query.limit`); the body as a whole is `body`. Cut as a refused value
    is quoted: a key the caller made up may be 100,000 characters long."""
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[1:]
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return cut(name) or "body"


def _field(error: Mapping[str, Any]) -> str:
    if error.get("type") == "json_invalid":  # its place is a character offset, not a field
        return "body"
    return field_name(error.get("loc", ()))


def _reason(error: Mapping[str, Any]) -> str:
    message = str(error.get("msg", "is invalid"))
    context = error.get("ctx") or {}
    if error.get("type") == "json_invalid" and "error" in context:
        return f"{message}: {context['error']}"
    return message


def invalid_request(errors: Sequence[Mapping[str, Any]]) -> Problem:
    """The 400 for pydantic-style errors (`loc`, `msg`): each names its field and its rule."""
    listed = [
        {"field": _field(error), "reason": _reason(error)} for error in errors[:MAX_LISTED]
    ] or [{"field": "body", "reason": "is invalid"}]
    first = listed[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return Problem(
        status=400,
        slug="bad-request",
        title="Bad request",
        detail=f"{first['field']}: {first['reason']}{more}",
        extra={"field": first["field"], "reason": first["reason"], "errors": listed},
    )


def malformed(field: str, reason: str) -> Problem:
    """The 400 for one field (or `body`) that could not be read at all."""
    return invalid_request([{"loc": (field,), "msg": reason}])


def validated(model: type[Model], value: object) -> Model:
    """`value` (parsed JSON, or form fields) as `model`; refused with `invalid_request`."""
    try:
        return model.model_validate(value)
    except ValidationError as invalid:
        raise BodyRefused(invalid_request(invalid.errors())) from None
