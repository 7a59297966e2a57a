"""The admin API's plans: a plan's limits in (as `imagestudio plans set` reads them) and out,
and a user's plan."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from imagestudio.domain.billing_period import BillingAnchor
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.limit import Limit
from imagestudio.domain.money import format_usd
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import Plan
from imagestudio.entrypoints.cli.limits import (
    byte_limit,
    category_limit,
    count_limit,
    money_limit,
    rate_limit,
)
from imagestudio.entrypoints.http.admin_amounts import Count, bounded_count, usd
from imagestudio.entrypoints.http.whole_numbers import WholeNumber, WholeNumberOrNone


class PlanIn(BaseModel):
    """A plan's limits per billing period (`imagestudio plans set` in JSON)."""

    model_config = ConfigDict(extra="forbid")
    spend_cap: StrictStr = Field(
        description='Dollars per period as a decimal string ("25.00"), or "unlimited".',
        examples=["25.00"],
    )
    requests_per_minute: Count = Field(description='60, "60/min" or "unlimited".', examples=[60])
    concurrent_operations: Count = Field(description='4 or "unlimited".', examples=[4])
    calls: dict[str, Count] = Field(
        default_factory=dict,
        description='Calls per period by category ({"image-generation": 100}); '
        "a category left out is unlimited.",
    )
    anchor_day: WholeNumber = Field(default=1, ge=1, le=31, description="The day periods start on.")
    storage: StrictStr | StrictInt = Field(
        default="unlimited",
        description='Asset bytes a user may keep: bytes, "500MB", "2GB" or "unlimited".',
        examples=["2GB"],
    )
    retention_days: WholeNumberOrNone = Field(
        default=None, ge=1, description="Days assets are kept; null keeps them until deleted."
    )

    def to_plan(self, name: str) -> Plan | InvalidInput:
        """The plan named `name`, or the first limit that cannot be read."""
        calls: dict[QuotaCategory, Limit] = {}
        for category, value in self.calls.items():
            parsed = category_limit(f"{category}=0")  # the category; its count comes next
            if isinstance(parsed, InvalidInput):
                return parsed
            limit = bounded_count(f"limit of {parsed[0].value}", value, count_limit)
            if isinstance(limit, InvalidInput):
                return limit
            calls[parsed[0]] = limit
        spend_cap = money_limit("spend cap", self.spend_cap)
        if isinstance(spend_cap, InvalidInput):
            return spend_cap
        rate = bounded_count("rate", self.requests_per_minute, rate_limit)
        if isinstance(rate, InvalidInput):
            return rate
        concurrency = bounded_count("concurrency", self.concurrent_operations, count_limit)
        if isinstance(concurrency, InvalidInput):
            return concurrency
        storage = bounded_count("storage", self.storage, byte_limit)
        if isinstance(storage, InvalidInput):
            return storage
        return Plan(
            name=name,
            calls=calls,
            spend_cap=spend_cap,
            requests_per_minute=rate,
            concurrent_operations=concurrency,
            anchor=BillingAnchor(self.anchor_day),
            storage_bytes=storage,
            retention_days=self.retention_days,
        )


class PlanOut(BaseModel):
    """A plan; `null` limits are unlimited."""

    name: str
    calls: dict[str, int | None]
    spend_cap_micros: int | None
    spend_cap_usd: str
    requests_per_minute: int | None
    concurrent_operations: int | None
    anchor_day: int
    monthly_price_micros: int
    monthly_price_usd: str
    storage_bytes: int | None = None
    retention_days: int | None = None

    @classmethod
    def of(cls, plan: Plan) -> PlanOut:
        return cls(
            name=plan.name,
            calls={
                category.value: plan.calls_limit(category).maximum for category in QuotaCategory
            },
            spend_cap_micros=plan.spend_cap.maximum,
            spend_cap_usd=usd(plan.spend_cap.maximum),
            requests_per_minute=plan.requests_per_minute.maximum,
            concurrent_operations=plan.concurrent_operations.maximum,
            anchor_day=plan.anchor.day,
            monthly_price_micros=plan.monthly_price,
            monthly_price_usd=format_usd(plan.monthly_price),
            storage_bytes=plan.storage_bytes.maximum,
            retention_days=plan.retention_days,
        )


class UserPlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    plan: str


class UserPlanOut(BaseModel):
    user_id: str
    plan: str
