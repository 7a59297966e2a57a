"""Expected failures, as values: each refusal names whose limit, its numbers, when it clears."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from imagestudio.domain.money import format_usd
from imagestudio.domain.operation_kind import OperationKind


class InputProblem(StrEnum):
    INVALID = "invalid"
    TOO_LARGE = "too_large"
    UNSUPPORTED_FORMAT = "unsupported_format"


@dataclass(frozen=True, slots=True)
class InvalidInput:
    field: str
    reason: str
    problem: InputProblem = InputProblem.INVALID

    @property
    def message(self) -> str:
        return f"invalid {self.field}: {self.reason}"


@dataclass(frozen=True, slots=True)
class UnknownModel:
    model_id: str

    @property
    def message(self) -> str:
        return f"unknown model {self.model_id!r} (see `imagestudio models`)"


_LOCAL_KINDS = frozenset(kind.value for kind in OperationKind if kind.is_local)


@dataclass(frozen=True, slots=True)
class UnsupportedKind:
    model_id: str
    kind: str

    @property
    def message(self) -> str:
        if self.kind in _LOCAL_KINDS:
            return (
                f"{self.kind} runs here, through no model: use `imagestudio {self.kind}` or "
                f"POST /v1/local/{self.kind}"
            )
        return f"model {self.model_id!r} cannot do {self.kind}"


@dataclass(frozen=True, slots=True)
class ProviderNotConfigured:
    provider: str
    model_id: str

    @property
    def message(self) -> str:
        return (
            f"model {self.model_id!r} needs the {self.provider} provider, which this profile "
            "does not configure"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class QuotaExceeded:
    """The user's own plan for this period refuses the request."""

    user_id: str
    limit_name: str
    """"calls:<category>" or "spend"."""
    used: int
    held: int
    limit: int
    requested: int
    resets_at: datetime

    @property
    def is_money(self) -> bool:
        return self.limit_name == "spend"

    @property
    def message(self) -> str:
        show = format_usd if self.is_money else str
        return (
            f"your plan's {self.limit_name} limit for this period would be exceeded: "
            f"used {show(self.used)}, held {show(self.held)}, requested {show(self.requested)}, "
            f"limit {show(self.limit)}; resets at {self.resets_at.isoformat()}"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class OperatorBudgetExhausted:
    """The operator's own monthly budget at a provider refuses it: not the user's quota."""

    provider: str
    used: int
    held: int
    limit: int
    requested: int
    resets_at: datetime

    @property
    def message(self) -> str:
        return (
            f"the service's monthly budget for {self.provider} is exhausted (this is not your "
            f"quota): used {format_usd(self.used)} of {format_usd(self.limit)}; "
            f"resets at {self.resets_at.isoformat()}"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RateLimited:
    """The user's request rate or concurrent-operation limit."""

    user_id: str
    limit_name: str
    limit: int
    retry_after_seconds: int

    @property
    def message(self) -> str:
        return (
            f"too many {self.limit_name} for your plan (limit {self.limit}); "
            f"retry in {self.retry_after_seconds} s"
        )


@dataclass(frozen=True, slots=True)
class IdempotencyConflict:
    key: str

    @property
    def message(self) -> str:
        return f"idempotency key {self.key!r} was already used for a different request"


@dataclass(frozen=True, slots=True)
class IdempotencyInProgress:
    key: str

    @property
    def message(self) -> str:
        return f"a request with idempotency key {self.key!r} is still running; retry later"


class ProviderErrorKind(StrEnum):
    INVALID_INPUT = "invalid_input"
    AUTH = "auth"
    OUT_OF_CREDIT = "out_of_credit"
    MODERATION = "moderation"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    NOT_SUPPORTED = "not_supported"

    @property
    def may_try_elsewhere(self) -> bool:
        """Whether another provider may be tried: only for the provider's own trouble."""
        return self in (ProviderErrorKind.RATE_LIMITED, ProviderErrorKind.UNAVAILABLE)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderFailed:
    """The provider definitely did not produce (or bill) the output."""

    provider: str
    kind: ProviderErrorKind
    detail: str

    @property
    def message(self) -> str:
        return f"{self.provider} failed ({self.kind}): {self.detail}"


@dataclass(frozen=True, slots=True, kw_only=True)
class OutputFiltered:
    """The provider billed the call but withheld or blurred its output (moderation)."""

    provider: str
    detail: str

    @property
    def message(self) -> str:
        return f"{self.provider} filtered the output ({self.detail}); you were not charged"


@dataclass(frozen=True, slots=True, kw_only=True)
class OutputLost:
    """The provider produced the output but it could not be stored; the user pays nothing."""

    detail: str

    @property
    def message(self) -> str:
        return f"the result could not be stored ({self.detail}); you were not charged"


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeUnknown:
    operation_id: str
    provider: str
    provider_task_id: str | None

    @property
    def message(self) -> str:
        return (
            f"the outcome of operation {self.operation_id} at {self.provider} is unknown; it will "
            "be reconciled and never charged twice"
        )


@dataclass(frozen=True, slots=True)
class Cancelled:
    operation_id: str
    abandoned: bool = False
    """Not the caller's doing: the process running it stopped before sending it."""

    @property
    def message(self) -> str:
        if self.abandoned:
            return (
                f"operation {self.operation_id} was abandoned before it was sent (the process "
                "running it stopped); nothing was charged: send it again with a new key"
            )
        return (
            f"operation {self.operation_id} was cancelled before it was sent; nothing was charged"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class NotRecorded:
    """Our own records could not be written (the database failed) before anything was sent:
    nothing was charged, held or sent, and a retry may well succeed."""

    detail: str

    @property
    def message(self) -> str:
        return (
            f"the operation could not be recorded ({self.detail}); nothing was sent or "
            "charged: try again in a moment"
        )


@dataclass(frozen=True, slots=True)
class WebhookRefused:
    """The request's webhook may not receive deliveries (not a URL, its scheme, credentials in
    it, an address its name resolves to): refused before anything is reserved."""

    reason: str

    @property
    def message(self) -> str:
        return f"webhook: {self.reason}"


@dataclass(frozen=True, slots=True)
class AssetNotFound:
    asset_id: str

    @property
    def message(self) -> str:
        return f"no asset {self.asset_id!r}"


@dataclass(frozen=True, slots=True)
class NoThumbnail:
    """The asset exists but is not an image (a 3D model, a video): it has no thumbnail."""

    asset_id: str
    media_type: str

    @property
    def message(self) -> str:
        return (
            f"asset {self.asset_id!r} is {self.media_type}: only images have thumbnails "
            "(fetch the asset itself, or show a placeholder)"
        )


@dataclass(frozen=True, slots=True)
class OperationNotFound:
    operation_id: str

    @property
    def message(self) -> str:
        return f"no operation {self.operation_id!r}"


@dataclass(frozen=True, slots=True)
class UnknownUser:
    user_id: str

    @property
    def message(self) -> str:
        return f"unknown user {self.user_id!r}"


@dataclass(frozen=True, slots=True)
class UnknownPlan:
    name: str

    @property
    def message(self) -> str:
        return f"no plan named {self.name!r} (see `imagestudio plans list`)"


@dataclass(frozen=True, slots=True)
class UserExists:
    user_id: str

    @property
    def message(self) -> str:
        return (
            f"user {self.user_id!r} already exists (change the plan with `imagestudio users "
            "set-plan`, the key with `imagestudio keys rotate`)"
        )


@dataclass(frozen=True, slots=True)
class UnknownApiKey:
    reference: str
    """The key's id or displayed prefix; never a whole key, which must not be echoed."""

    @property
    def message(self) -> str:
        return f"no API key matches {self.reference!r}"


@dataclass(frozen=True, slots=True)
class AmbiguousApiKey:
    reference: str
    key_ids: tuple[str, ...]

    @property
    def message(self) -> str:
        return (
            f"{len(self.key_ids)} API keys match {self.reference!r}: name one by its id "
            f"({', '.join(self.key_ids)})"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundTooLarge:
    """A refund larger than what the user was charged this period: spend would go negative."""

    user_id: str
    period: str
    used: int
    refund: int

    @property
    def message(self) -> str:
        return (
            f"a refund of {format_usd(self.refund)} would take {self.user_id}'s spend for the "
            f"period from {self.period} below zero (charged {format_usd(self.used)})"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class StorageQuotaExceeded:
    """The user's stored assets already fill what their plan allows: no new outputs."""

    user_id: str
    used: int
    limit: int

    @property
    def message(self) -> str:
        return (
            f"your plan's storage limit is reached: {_bytes(self.used)} stored of "
            f"{_bytes(self.limit)}; delete assets (`imagestudio assets delete`) to make room"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class UserBusy:
    """The user has operations still in flight or awaiting reconciliation."""

    user_id: str
    operation_ids: tuple[str, ...]

    @property
    def message(self) -> str:
        shown = ", ".join(self.operation_ids[:5])
        return (
            f"user {self.user_id!r} has {len(self.operation_ids)} operation(s) not settled yet "
            f"({shown}); wait for them or run `imagestudio reconcile`, then delete again"
        )


def plan_in_use(name: str, user_ids: Sequence[str]) -> InvalidInput:
    """The refusal to delete a plan users are on: they would be left with no limits."""
    shown = ", ".join(user_ids[:5]) + (", …" if len(user_ids) > 5 else "")
    return InvalidInput(
        "plan",
        f"{name!r} has {len(user_ids)} user(s) on it ({shown}): move them to another plan "
        "(`imagestudio users set-plan`) first",
    )


def _bytes(count: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= size:
            return f"{count / size:.1f} {unit} ({count} bytes)"
    return f"{count} bytes"


QuotaRefusal = QuotaExceeded | OperatorBudgetExhausted | RateLimited

OperationError = (
    InvalidInput
    | UnknownModel
    | UnsupportedKind
    | ProviderNotConfigured
    | QuotaExceeded
    | OperatorBudgetExhausted
    | RateLimited
    | IdempotencyConflict
    | IdempotencyInProgress
    | ProviderFailed
    | OutputFiltered
    | OutputLost
    | OutcomeUnknown
    | Cancelled
    | NotRecorded
    | AssetNotFound
    | OperationNotFound
    | UnknownUser
    | StorageQuotaExceeded
    | WebhookRefused
)

AdminError = (
    InvalidInput
    | UnknownUser
    | UnknownPlan
    | UserExists
    | UnknownApiKey
    | AmbiguousApiKey
    | UserBusy
)
"""What an operator's command (plans, users, keys, budgets, adjustments) can be refused for."""
