"""The admin API's bodies and answers, read by the same rules as the operator's CLI: money is a
decimal string of dollars ("25.00", "-1.50"), never a JSON number; a limit is a number or
`unlimited`, said explicitly (0 is a real zero); a day or an ISO 8601 time bounds an export."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from imagestudio.application.use_cases.adjust_charge import AdjustedCharge, Adjustment
from imagestudio.application.use_cases.list_budgets import BudgetUsage
from imagestudio.domain.api_key import ApiKey
from imagestudio.domain.billing_period import BillingAnchor
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.limit import Limit
from imagestudio.domain.money import MAX_MICROS, Micros, format_usd, usd_to_micros
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import OperatorBudget, Plan
from imagestudio.domain.usage_record import UsageRecord
from imagestudio.entrypoints.cli.limits import (
    UNLIMITED_WORD,
    byte_limit,
    category_limit,
    count_limit,
    money_limit,
    rate_limit,
)
from imagestudio.entrypoints.ledger_columns import line_fields

_PLAIN_DOLLARS = re.compile(r"-?\$?(\d{1,30}(\.\d{0,30})?|\.\d{1,30})")
"""Digits and a point only: an exponent ("1e20000000") would make exact parsing compute a
number of millions of digits while the server waits."""
MAX_COUNT_CHARS = 24
Count = StrictInt | StrictStr


def _usd(micros: Micros | None) -> str:
    return UNLIMITED_WORD if micros is None else format_usd(micros)


def _dollars(field: str, text: str) -> Micros | InvalidInput:
    """Micro-dollars from a decimal string such as "25.00", "$25" or "-1.50"."""
    if not _PLAIN_DOLLARS.fullmatch(text.strip()):
        return InvalidInput(field, f"{text!r}: write dollars as a decimal such as 25.00")
    micros = usd_to_micros(text)
    if abs(micros) > MAX_MICROS:
        return InvalidInput(field, "is larger than any amount this service can hold")
    return micros


def _count_limit(
    field: str, value: int | str, parse: Callable[[str, str], Limit | InvalidInput]
) -> Limit | InvalidInput:
    """A count as the CLI reads it (`parse`), first refusing what would fail rather than be
    refused there: digits that are not ASCII, numbers too long for a 64-bit column."""
    text = str(value)
    if len(text) > MAX_COUNT_CHARS or not text.isascii():
        return InvalidInput(field, f"{text[:MAX_COUNT_CHARS]!r}: too long, or not plain digits")
    return _held(field, parse(field, text))


def _held(field: str, parsed: Limit | InvalidInput) -> Limit | InvalidInput:
    """Refused as input what a 64-bit column could not store (money, counts and bytes alike)."""
    if isinstance(parsed, Limit) and parsed.maximum is not None and parsed.maximum > MAX_MICROS:
        return InvalidInput(field, "is larger than any limit this service can hold")
    return parsed


def _money_limit(field: str, text: str) -> Limit | InvalidInput:
    """As the CLI reads it (dollars or `unlimited`), refusing what `_dollars` refuses."""
    if text.strip().lower() != UNLIMITED_WORD:
        checked = _dollars(field, text)
        if isinstance(checked, InvalidInput):
            return InvalidInput(field, f"{checked.reason}, or {UNLIMITED_WORD}")
    return money_limit(field, text)


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
    anchor_day: int = Field(default=1, ge=1, le=31, description="The day periods start on.")
    storage: StrictStr | StrictInt = Field(
        default="unlimited",
        description='Asset bytes a user may keep: bytes, "500MB", "2GB" or "unlimited".',
        examples=["2GB"],
    )
    retention_days: int | None = Field(
        default=None, ge=1, description="Days assets are kept; null keeps them until deleted."
    )

    def to_plan(self, name: str) -> Plan | InvalidInput:
        """The plan named `name`, or the first limit that cannot be read."""
        calls: dict[QuotaCategory, Limit] = {}
        for category, value in self.calls.items():
            parsed = category_limit(f"{category}=0")  # the category; its count comes next
            if isinstance(parsed, InvalidInput):
                return parsed
            limit = _count_limit(f"limit of {parsed[0].value}", value, count_limit)
            if isinstance(limit, InvalidInput):
                return limit
            calls[parsed[0]] = limit
        spend_cap = _money_limit("spend cap", self.spend_cap)
        if isinstance(spend_cap, InvalidInput):
            return spend_cap
        rate = _count_limit("rate", self.requests_per_minute, rate_limit)
        if isinstance(rate, InvalidInput):
            return rate
        concurrency = _count_limit("concurrency", self.concurrent_operations, count_limit)
        if isinstance(concurrency, InvalidInput):
            return concurrency
        storage = _count_limit("storage", self.storage, byte_limit)
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
            spend_cap_usd=_usd(plan.spend_cap.maximum),
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


class KeyOut(BaseModel):
    """What is kept of an API key: never the key itself."""

    id: str
    user_id: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    live: bool

    @classmethod
    def of(cls, key: ApiKey) -> KeyOut:
        return cls(
            id=key.id,
            user_id=key.user_id,
            prefix=key.prefix,
            created_at=key.created_at,
            revoked_at=key.revoked_at,
            live=key.is_live,
        )


class RotatedKeyOut(BaseModel):
    user_id: str
    api_key: str
    """Shown this once; only its hash is kept."""
    key: KeyOut
    revoked: list[KeyOut]


class BudgetIn(BaseModel):
    """The operator's monthly budget at one provider (`imagestudio budget set` in JSON)."""

    model_config = ConfigDict(extra="forbid")
    monthly: StrictStr = Field(
        description='Dollars per calendar month as a decimal string ("500.00"), or "unlimited".',
        examples=["500.00"],
    )

    def to_budget(self, provider: str) -> OperatorBudget | InvalidInput:
        limit = _money_limit("monthly budget", self.monthly)
        if isinstance(limit, InvalidInput):
            return limit
        return OperatorBudget(provider=provider, monthly=limit)


class BudgetOut(BaseModel):
    """A budget and this calendar month's spend against it; `null` is unlimited."""

    provider: str
    monthly_micros: int | None
    monthly_usd: str
    used_micros: int
    used_usd: str
    held_micros: int
    held_usd: str
    remaining_micros: int | None
    remaining_usd: str
    month_start: datetime
    resets_at: datetime

    @classmethod
    def of(cls, usage: BudgetUsage) -> BudgetOut:
        return cls(
            provider=usage.budget.provider,
            monthly_micros=usage.budget.monthly.maximum,
            monthly_usd=_usd(usage.budget.monthly.maximum),
            used_micros=usage.spent.used,
            used_usd=format_usd(usage.spent.used),
            held_micros=usage.spent.held,
            held_usd=format_usd(usage.spent.held),
            remaining_micros=usage.remaining,
            remaining_usd=_usd(usage.remaining),
            month_start=usage.month.start,
            resets_at=usage.month.end,
        )


class AdjustmentIn(BaseModel):
    """A refund (negative) or correction (positive) of a user's charge this period."""

    model_config = ConfigDict(extra="forbid")
    user_id: str
    amount: StrictStr = Field(
        description='Dollars as a decimal string added to the charge; "-1.50" refunds $1.50.',
        examples=["-1.50"],
    )
    reason: str = Field(description="Why: the ledger keeps it for audit.", max_length=2000)

    def to_adjustment(self) -> Adjustment | InvalidInput:
        micros = _dollars("amount", self.amount)
        if isinstance(micros, InvalidInput):
            return micros
        if "\x00" in self.reason:
            return InvalidInput("reason", "contains a NUL character")
        return Adjustment(user_id=self.user_id, amount=micros, reason=self.reason)


class AdjustmentOut(BaseModel):
    line_id: str
    user_id: str
    amount_micros: int
    amount_usd: str
    reason: str
    billing_period: str
    spend_used_micros: int
    """The user's spend this period, after the adjustment."""
    spend_used_usd: str
    at: datetime

    @classmethod
    def of(cls, done: AdjustedCharge) -> AdjustmentOut:
        line = done.line
        return cls(
            line_id=line.operation_id,
            user_id=line.user_id,
            amount_micros=line.user_charge,
            amount_usd=format_usd(line.user_charge),
            reason=line.reason,
            billing_period=line.billing_period,
            spend_used_micros=done.spend.used,
            spend_used_usd=format_usd(done.spend.used),
            at=line.finished_at,
        )


class LedgerLineOut(BaseModel):
    """One ledger line of an export; the fields, in order, are the CSV's columns
    (`ledger_columns.EXPORT_FIELDS`, as in `imagestudio usage export`)."""

    finished_at: datetime
    started_at: datetime
    user_id: str
    line_id: str = Field(description="The operation's id (an adjustment's own id).")
    outcome: str
    kind: str | None
    model_id: str
    provider: str
    outputs: int
    user_charge_micros: int
    user_charge_usd: str
    provider_cost_micros: int
    provider_cost_usd: str
    billing_period: str = Field(description="The period's key: the day it starts.")
    output_bytes: int
    latency_ms: int
    idempotency_key: str | None
    reason: str
    provider_task_ids: list[str] = Field(
        description="The provider's ids of the line's calls (in CSV: a JSON array, or empty)."
    )
    unconfirmed_cost_micros: int = Field(
        description="Of the provider cost, what calls the provider never confirmed may have cost."
    )
    unconfirmed_cost_usd: str

    @classmethod
    def of(cls, line: UsageRecord) -> LedgerLineOut:
        return cls.model_validate(line_fields(line))
