"""The pages' one way to an operation's request: their fields become the API's body (pydantic,
checked by its rules) and `operation_routes.to_request` makes the request from it, as it does
for `POST /v1/operations`. A page never builds an `OperationRequest` itself."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from imagestudio.application.requests import OperationRequest
from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.http.auth import ProblemError
from imagestudio.entrypoints.http.operation_routes import to_request
from imagestudio.entrypoints.http.pages.page_errors import PageProblem
from imagestudio.entrypoints.http.schemas import OperationIn

Body = TypeVar("Body", bound=BaseModel)


def checked(model: type[Body], fields: dict[str, Any]) -> Body | InvalidInput:
    """The API's body for `fields`, or the first field its rules refuse."""
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        return InvalidInput(where, first["msg"])


def page_request(
    fields: dict[str, Any], user_id: str, operation_id: str | None = None
) -> OperationRequest | InvalidInput:
    """The request the fields (shaped as `OperationIn`) describe, or the field that is wrong."""
    body = checked(OperationIn, fields)
    if isinstance(body, InvalidInput):
        return body
    try:
        return to_request(body, user_id, operation_id=operation_id)
    except ProblemError as refused:
        raise PageProblem(refused.problem) from None
