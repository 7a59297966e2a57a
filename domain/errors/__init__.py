"""Expected failures, as values: each refusal names whose limit, its numbers, when it clears.

One module per family of refusal; here, the unions each caller matches on."""

from __future__ import annotations

from imagestudio.domain.errors.administration import (
    RefundTooLarge,
    UserBusy,
    UserExists,
    plan_in_use,
)
from imagestudio.domain.errors.idempotency import (
    IdempotencyConflict,
    IdempotencyInProgress,
)
from imagestudio.domain.errors.invalid_request import (
    InputProblem,
    InvalidInput,
    ProviderNotConfigured,
    UnknownModel,
    UnsupportedKind,
    WebhookRefused,
)
from imagestudio.domain.errors.limits import (
    OperatorBudgetExhausted,
    QuotaExceeded,
    QuotaRefusal,
    RateLimited,
    StorageQuotaExceeded,
)
from imagestudio.domain.errors.not_found import (
    AmbiguousApiKey,
    AssetNotFound,
    NoThumbnail,
    OperationNotFound,
    UnknownApiKey,
    UnknownPlan,
    UnknownUser,
)
from imagestudio.domain.errors.provider_outcomes import (
    Cancelled,
    NotRecorded,
    OutcomeUnknown,
    OutputFiltered,
    OutputLost,
    ProviderErrorKind,
    ProviderFailed,
)

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


__all__ = [
    "AdminError",
    "AmbiguousApiKey",
    "AssetNotFound",
    "Cancelled",
    "IdempotencyConflict",
    "IdempotencyInProgress",
    "InputProblem",
    "InvalidInput",
    "NoThumbnail",
    "NotRecorded",
    "OperationError",
    "OperationNotFound",
    "OperatorBudgetExhausted",
    "OutcomeUnknown",
    "OutputFiltered",
    "OutputLost",
    "ProviderErrorKind",
    "ProviderFailed",
    "ProviderNotConfigured",
    "QuotaExceeded",
    "QuotaRefusal",
    "RateLimited",
    "RefundTooLarge",
    "StorageQuotaExceeded",
    "UnknownApiKey",
    "UnknownModel",
    "UnknownPlan",
    "UnknownUser",
    "UnsupportedKind",
    "UserBusy",
    "UserExists",
    "WebhookRefused",
    "plan_in_use",
]
