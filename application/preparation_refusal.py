"""How the preparation's nested checks stop at the first typed error."""

from __future__ import annotations

from typing import TypeVar

from returns.result import Failure, Result

from imagestudio.domain.errors import InvalidInput, OperationError

T = TypeVar("T")


class Refused(Exception):
    """Carries a typed error out of the nested checks; never leaves the preparation."""

    def __init__(self, error: OperationError) -> None:
        self.error = error


def ok(problem: OperationError | None) -> None:
    if problem is not None:
        raise Refused(problem)


def take(result: Result[T, InvalidInput]) -> T:
    if isinstance(result, Failure):
        raise Refused(result.failure())
    return result.unwrap()
