"""What became of an operation that did not deliver: the provider failed or filtered it, its
output was lost, its outcome is unknown, it was cancelled, or it could not be recorded."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
