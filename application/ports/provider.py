"""The image provider port: one billable call to a model, reported honestly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from imagestudio.domain.errors import OutputFiltered, ProviderFailed
from imagestudio.domain.media import MediaType
from imagestudio.domain.model import Model
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind


@dataclass(frozen=True, slots=True, kw_only=True)
class InputImage:
    """An input the caller gave, already checked: its bytes and what they decode to."""

    data: bytes
    media_type: MediaType
    width: int
    height: int
    role: str = "image"
    """What the model uses it for: "image", "mask", "face", "target", "style"."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderJob:
    """One call to a provider: the model, what to do, and how many outputs this call asks for."""

    model: Model
    kind: OperationKind
    prompt: str
    inputs: tuple[InputImage, ...]
    width: int
    height: int
    outputs: int
    seed: int | None
    parameters: Mapping[str, ParameterValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Artifact:
    data: bytes
    media_type: MediaType
    width: int | None = None
    height: int | None = None
    duration_seconds: int | None = None
    resolution: str | None = None
    seed: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderSuccess:
    artifacts: tuple[Artifact, ...]
    task_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SubmitUnknown:
    """The submit may have reached the provider (timeout or dropped connection after sending)."""

    task_id: str | None
    detail: str


ProviderOutcome = ProviderSuccess | ProviderFailed | OutputFiltered | SubmitUnknown


class SubmissionReport(Protocol):
    """Told by the provider the moment a billable request leaves the process."""

    async def sending(self, task_id: str | None = None) -> None:
        """The request is about to leave: a cancellation from now on leaves the outcome unknown.

        `task_id`, when the provider's task id is known before sending (chosen by the client, or
        deterministic like the offline provider's), is written down with "sent" in one step:
        `accepted` with the same id then writes nothing more."""

    async def accepted(self, task_id: str) -> None:
        """The provider acknowledged the request under `task_id` (kept for reconciliation)."""

    def progressed(self, detail: str) -> None:
        """The provider said how far the task has got (`processing`, `in-progress`…): told to
        listeners in this process as it happens, never stored (no write, no cost)."""


class ImageProvider(Protocol):
    """Runs one job at one provider. Never re-sends a billable submission."""

    name: str

    async def run(self, job: ProviderJob, report: SubmissionReport) -> ProviderOutcome:
        """Perform the job; every expected failure is a returned value, not an exception."""
        ...


@dataclass(frozen=True, slots=True)
class TaskPending:
    """The provider still runs the task: ask again later."""

    task_id: str


@dataclass(frozen=True, slots=True)
class TaskMissing:
    """The provider has no such task (never created, expired, or another account's)."""

    task_id: str
    detail: str


LookupOutcome = ProviderSuccess | ProviderFailed | OutputFiltered | TaskPending | TaskMissing


class TaskLookup(Protocol):
    """A provider that can say what became of a task it accepted (for reconciliation)."""

    async def lookup(self, job: ProviderJob, task_id: str) -> LookupOutcome:
        """The task's outcome now; the outputs are fetched when it completed.

        `job` is rebuilt from the stored operation (no inputs): it gives the model, the kind,
        the size and the parameters the outputs were asked with. Read-only: never re-submits.
        A transport failure that outlasts the retries is `TaskPending` ("ask again later"):
        only the provider's own answer is a verdict.
        """
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountStatus:
    """Whether a provider key works, and what the account has left."""

    provider: str
    key_works: bool
    balance: str | None = None
    """As the provider states it, with its unit: "12.50 USD", "843.2 credits"."""
    detail: str = ""


class AccountCheck(Protocol):
    async def check_account(self) -> AccountStatus:
        """Ask the provider (read-only) whether the key works and for the balance."""
        ...


class ProviderDirectory(Protocol):
    """The providers this profile configures, by name."""

    def get(self, provider: str) -> ImageProvider | None:
        """The adapter for `provider`, or None when this profile has none."""
        ...

    def names(self) -> frozenset[str]:
        """Names of every configured provider."""
        ...

    def why_unavailable(self, provider: str) -> str | None:
        """None when `provider` is configured; otherwise what would enable it."""
        ...

    def all(self) -> tuple[ImageProvider, ...]:
        """Every configured provider adapter."""
        ...
