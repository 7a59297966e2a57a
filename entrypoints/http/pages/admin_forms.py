"""Reading the admin pages' forms into what the use cases take, with the API's input rules (the
admin schemas): a field that cannot be read is refused as the API refuses it (422); and a plan
written back into its form (to edit it) and into the plans table."""

from __future__ import annotations

from pydantic import ValidationError
from starlette.datastructures import FormData

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.money import format_usd
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import Plan
from imagestudio.entrypoints.http.adjustment_schemas import AdjustmentIn
from imagestudio.entrypoints.http.budget_schemas import BudgetIn
from imagestudio.entrypoints.http.pages.form_fields import text
from imagestudio.entrypoints.http.pages.usage_bars import byte_text
from imagestudio.entrypoints.http.plan_schemas import PlanIn

CALL_FIELD = "calls-"
"""A plan form's calls per period of one category: `calls-image-generation`; empty: unlimited."""


def plan_from(form: FormData) -> Plan | InvalidInput:
    """The plan the form defines: its name and limits."""
    name = text(form, "name").strip()
    calls = {
        category.value: value
        for category in QuotaCategory
        if (value := text(form, CALL_FIELD + category.value).strip())
    }
    anchor = _whole("anchor_day", text(form, "anchor_day", "1").strip() or "1")
    if isinstance(anchor, InvalidInput):
        return anchor
    retention_text = text(form, "retention_days").strip()
    retention = None if not retention_text else _whole("retention_days", retention_text)
    if isinstance(retention, InvalidInput):
        return retention
    try:
        body = PlanIn(
            spend_cap=text(form, "spend_cap").strip() or "unlimited",
            requests_per_minute=text(form, "requests_per_minute").strip() or "unlimited",
            concurrent_operations=text(form, "concurrent_operations").strip() or "unlimited",
            calls=calls,
            anchor_day=anchor,
            storage=text(form, "storage").strip() or "unlimited",
            retention_days=retention,
        )
    except ValidationError as error:
        return _invalid(error)
    return body.to_plan(name)


def budget_from(form: FormData) -> tuple[str, BudgetIn] | InvalidInput:
    provider = text(form, "provider").strip()
    if not provider:
        return InvalidInput("provider", "name the provider the budget is for")
    try:
        return provider, BudgetIn(monthly=text(form, "monthly").strip())
    except ValidationError as error:
        return _invalid(error)


def adjustment_from(form: FormData, user_id: str) -> AdjustmentIn | InvalidInput:
    reason = text(form, "reason").strip()
    if not reason:
        return InvalidInput("reason", "say why: the ledger keeps it for audit")
    try:
        return AdjustmentIn(user_id=user_id, amount=text(form, "amount").strip(), reason=reason)
    except ValidationError as error:
        return _invalid(error)


def _whole(field: str, value: str) -> int | InvalidInput:
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        return InvalidInput(field, f"must be a whole number, not {value[:40]!r}")
    return int(value)


def _invalid(error: ValidationError) -> InvalidInput:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "form"
    return InvalidInput(field, str(first["msg"]))


def plan_summary(plan: Plan) -> dict[str, str]:
    """The plan's limits as the table writes them: dollars, bytes in their unit, and only the
    categories it limits."""
    calls = [f"{c.value} {limit}" for c, limit in plan.calls.items() if not limit.is_unlimited]
    storage = plan.storage_bytes.maximum
    return {
        "spend_cap": "unlimited"
        if plan.spend_cap.maximum is None
        else format_usd(plan.spend_cap.maximum),
        "calls": ", ".join(calls) or "unlimited",
        "storage": "unlimited" if storage is None else byte_text(storage),
    }


def plan_values(plan: Plan | None) -> dict[str, str]:
    """The form's fields filled from `plan` (empty for a new plan: unlimited)."""
    if plan is None:
        return {"name": "", "anchor_day": "1"}
    values = {
        "name": plan.name,
        "spend_cap": "unlimited"
        if plan.spend_cap.maximum is None
        else f"{plan.spend_cap.maximum / 1_000_000:.6f}".rstrip("0").rstrip("."),
        "requests_per_minute": str(plan.requests_per_minute),
        "concurrent_operations": str(plan.concurrent_operations),
        "storage": str(plan.storage_bytes),
        "anchor_day": str(plan.anchor.day),
        "retention_days": "" if plan.retention_days is None else str(plan.retention_days),
    }
    for category, limit in plan.calls.items():
        values[CALL_FIELD + category.value] = str(limit)
    return values
