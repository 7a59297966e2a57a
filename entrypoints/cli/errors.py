"""How a typed failure leaves the CLI: one clear line and an exit code that says what kind."""

from __future__ import annotations

from imagestudio.domain.errors import (
    AdminError,
    AmbiguousApiKey,
    AssetNotFound,
    Cancelled,
    IdempotencyConflict,
    IdempotencyInProgress,
    InvalidInput,
    NoThumbnail,
    NotRecorded,
    OperationError,
    OperationNotFound,
    OperatorBudgetExhausted,
    OutcomeUnknown,
    OutputFiltered,
    OutputLost,
    ProviderFailed,
    ProviderNotConfigured,
    QuotaExceeded,
    RateLimited,
    RefundTooLarge,
    StorageQuotaExceeded,
    UnknownApiKey,
    UnknownModel,
    UnknownPlan,
    UnknownUser,
    UnsupportedKind,
    UserBusy,
    UserExists,
    WebhookRefused,
)

EXIT_INPUT = 2
EXIT_QUOTA = 3
EXIT_PROVIDER = 4
EXIT_UNKNOWN_OUTCOME = 5
EXIT_CONFLICT = 6
EXIT_NOT_FOUND = 7
EXIT_UNEXPECTED = 1
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command Ctrl-C stopped
EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE: the reader of the output went away (`| head -1`)

_EXIT_CODES: dict[type[object], int] = {
    InvalidInput: EXIT_INPUT,
    UnknownModel: EXIT_NOT_FOUND,
    UnsupportedKind: EXIT_INPUT,
    ProviderNotConfigured: EXIT_INPUT,
    AssetNotFound: EXIT_NOT_FOUND,
    NoThumbnail: EXIT_NOT_FOUND,
    OperationNotFound: EXIT_NOT_FOUND,
    UnknownUser: EXIT_NOT_FOUND,
    UnknownPlan: EXIT_NOT_FOUND,
    UnknownApiKey: EXIT_NOT_FOUND,
    AmbiguousApiKey: EXIT_INPUT,
    UserExists: EXIT_CONFLICT,
    RefundTooLarge: EXIT_INPUT,
    QuotaExceeded: EXIT_QUOTA,
    StorageQuotaExceeded: EXIT_QUOTA,
    UserBusy: EXIT_CONFLICT,
    RateLimited: EXIT_QUOTA,
    OperatorBudgetExhausted: EXIT_PROVIDER,
    ProviderFailed: EXIT_PROVIDER,
    OutputFiltered: EXIT_PROVIDER,
    OutputLost: EXIT_PROVIDER,
    OutcomeUnknown: EXIT_UNKNOWN_OUTCOME,
    Cancelled: EXIT_PROVIDER,
    NotRecorded: EXIT_UNEXPECTED,
    IdempotencyConflict: EXIT_CONFLICT,
    IdempotencyInProgress: EXIT_CONFLICT,
    WebhookRefused: EXIT_INPUT,
}


Problem = OperationError | AdminError | RefundTooLarge | NoThumbnail
"""Every typed failure a command can end with."""


def exit_code(error: Problem) -> int:
    return _EXIT_CODES.get(type(error), EXIT_UNEXPECTED)


def error_name(error: Problem) -> str:
    return type(error).__name__
