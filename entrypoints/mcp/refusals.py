"""Refusals as tool errors (`isError`): the same problem the HTTP API answers with, its title
and detail first (whose limit, the numbers, when it clears), then its fields as JSON for an agent
that reads them. Bad arguments are refused before anything is reserved: they cost nothing."""

from __future__ import annotations

import json
from typing import TypeVar

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, ValidationError

from imagestudio.entrypoints.http.invalid_requests import invalid_request
from imagestudio.entrypoints.http.problems import Problem, problem_for

Model = TypeVar("Model", bound=BaseModel)


def problem_error(problem: Problem) -> ToolError:
    fields = json.dumps(problem.body(), default=str, sort_keys=True)
    return ToolError(f"{problem.title}: {problem.detail}\n{fields}")


def refused(error: object) -> ToolError:
    """The tool error for a domain error (a quota refusal, an unknown asset, bad input...)."""
    return problem_error(problem_for(error))


def validated(model: type[Model], value: object) -> Model:
    """`value` as `model`, or the tool error naming each field and the rule it broke."""
    try:
        return model.model_validate(value)
    except ValidationError as invalid:
        raise problem_error(invalid_request(invalid.errors())) from None
