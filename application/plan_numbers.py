"""The numbers of a plan or a budget as the Python API gets them: whole numbers a 64-bit column
holds, and a retention a date can be counted back by.

The CLI and HTTP read their own text into these bounds; a host application hands us the objects
themselves, so the use cases check them too. A float limit was kept in the plan's stored
definition, a budget past the column failed where it was written, and a retention of a million
days stopped the storage sweep of every user (no date is that far back)."""

from __future__ import annotations

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.limit import Limit
from imagestudio.domain.money import MAX_MICROS
from imagestudio.domain.plan import Plan

MAX_RETENTION_DAYS = 36_525
"""A century: assets kept longer are, to everyone, kept until deleted."""


def limit_problem(field: str, limit: Limit) -> InvalidInput | None:
    """Why `limit` is not unlimited or a whole number from 0 to `MAX_MICROS`, or None."""
    return _whole_problem(field, limit.maximum, MAX_MICROS, "unlimited or ")


def plan_problem(plan: Plan) -> InvalidInput | None:
    """The first number of `plan` no store can keep as it is, or None."""
    limits = [(f"calls.{category.value}", limit) for category, limit in plan.calls.items()]
    limits += [
        ("spend_cap", plan.spend_cap),
        ("requests_per_minute", plan.requests_per_minute),
        ("concurrent_operations", plan.concurrent_operations),
        ("storage_bytes", plan.storage_bytes),
    ]
    for field, limit in limits:
        if (problem := limit_problem(field, limit)) is not None:
            return problem
    return _whole_problem("monthly_price", plan.monthly_price, MAX_MICROS) or _whole_problem(
        "retention_days", plan.retention_days, MAX_RETENTION_DAYS, "None or "
    )


def _whole_problem(field: str, value: object, most: int, or_none: str = "") -> InvalidInput | None:
    if value is None and or_none:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        return InvalidInput(field, f"must be {or_none}a whole number, not {type(value).__name__}")
    if not 0 <= value <= most:
        return InvalidInput(field, f"must be from 0 to {most}, not {value}")
    return None
