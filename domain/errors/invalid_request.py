"""Requests refused for what they ask: a bad field, a model that is not there or cannot do the
kind, a provider not configured, a webhook that may not receive deliveries."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from imagestudio.domain.errors.echo import echoed
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
    accepted: tuple[str, ...] = ()
    """What the field could have been instead, where it is a name (the parameters a model
    takes, for a parameter it does not): given to a client as a list, not only in prose."""

    @property
    def message(self) -> str:
        return f"invalid {self.field}: {self.reason}"


@dataclass(frozen=True, slots=True)
class UnknownModel:
    model_id: str

    @property
    def message(self) -> str:
        return f"unknown model {echoed(self.model_id)} (see `imagestudio models`)"


_LOCAL_KINDS = frozenset(kind.value for kind in OperationKind if kind.is_local)


@dataclass(frozen=True, slots=True)
class UnsupportedKind:
    model_id: str
    kind: str

    @property
    def message(self) -> str:
        if self.kind in _LOCAL_KINDS:
            return (
                f"{self.kind} runs here, through no model: use `imagestudio {self.kind}`, "
                f"POST /v1/local/{self.kind} or the MCP tool `{self.kind}`"
            )
        return f"model {echoed(self.model_id)} cannot do {self.kind}"


@dataclass(frozen=True, slots=True)
class ProviderNotConfigured:
    provider: str
    model_id: str

    @property
    def message(self) -> str:
        return (
            f"model {echoed(self.model_id)} needs the {self.provider} provider, which this profile "
            "does not configure"
        )


@dataclass(frozen=True, slots=True)
class WebhookRefused:
    """The request's webhook may not receive deliveries (not a URL, its scheme, credentials in
    it, an address its name resolves to): refused before anything is reserved."""

    reason: str

    @property
    def message(self) -> str:
        return f"webhook: {self.reason}"
