"""What one HTTP app counts for Prometheus: operations by outcome, provider latency, quota
refusals and requests.

Each app has its own registry (never the process-wide default), so several apps in one process —
tests, an embedding app — never share or collide on counters. Labels are bounded sets (kinds,
providers, outcomes, limit kinds, route templates): never user ids, prompts or raw paths.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from returns.result import Success

from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.domain.errors import (
    Cancelled,
    OperationError,
    OperatorBudgetExhausted,
    OutcomeUnknown,
    OutputFiltered,
    QuotaExceeded,
    RateLimited,
)
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_kind import OperationKind

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
"""Seconds: offline calls take milliseconds, real image and video models up to minutes."""
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""Any other method a client invents is counted as `other`, so labels stay a bounded set."""
REACHED_PROVIDER = frozenset({"succeeded", "failed", "filtered", "unknown"})
"""Outcomes whose operation was sent to its provider, so its duration is a provider latency."""


class ApiMetrics:
    """The counters of one app and the registry `/metrics` exposes."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.operations = Counter(
            "imagestudio_operations_finished",
            "Operations finished by this server, by kind, provider and outcome.",
            ["kind", "provider", "outcome"],
            registry=self.registry,
        )
        self.provider_latency = Histogram(
            "imagestudio_provider_call_seconds",
            "From an operation's creation to its settlement, for operations sent to a provider.",
            ["provider"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.quota_refusals = Counter(
            "imagestudio_quota_refusals",
            "Operations refused before any provider call, by the limit that refused them.",
            ["limit"],
            registry=self.registry,
        )
        self.http_requests = Counter(
            "imagestudio_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )

    def operation_finished(self, outcome: StoredOutcome | None, operation: ImageOperation) -> None:
        """Count one finished operation; `outcome` is None when its task was cancelled (or
        raised)."""
        label = outcome_label(outcome, operation)
        self.operations.labels(operation.kind.value, operation.provider, label).inc()
        if label == "refused" and outcome is not None:
            self.quota_refusals.labels(refused_by(outcome.failure())).inc()
        if label in REACHED_PROVIDER:
            seconds = (operation.updated_at - operation.created_at).total_seconds()
            self.provider_latency.labels(operation.provider).observe(max(0.0, seconds))

    def operation_refused(self, kind: OperationKind, error: OperationError) -> None:
        """Count a request a limit refused: it never became an operation (nothing was written),
        and no provider was chosen for it, so its provider label is "none"."""
        self.operations.labels(kind.value, "none", "refused").inc()
        self.quota_refusals.labels(refused_by(error)).inc()

    def request_answered(self, method: str, route: str, status: int) -> None:
        known = method if method in HTTP_METHODS else "other"
        self.http_requests.labels(known, route, str(status)).inc()

    def exposition(self) -> bytes:
        """The registry in Prometheus text format 0.0.4."""
        return generate_latest(self.registry)


def outcome_label(outcome: StoredOutcome | None, operation: ImageOperation) -> str:
    """succeeded, failed, filtered, unknown, cancelled or refused (by a quota or rate limit)."""
    if outcome is None:  # its task was cancelled: the stored status says how it was settled
        if operation.status in (OperationStatus.CANCELLED, OperationStatus.UNKNOWN):
            return operation.status.value
        return "failed"
    if isinstance(outcome, Success):
        return "succeeded"
    error = outcome.failure()
    if isinstance(error, QuotaExceeded | RateLimited | OperatorBudgetExhausted):
        return "refused"
    if isinstance(error, OutputFiltered):
        return "filtered"
    if isinstance(error, OutcomeUnknown):
        return "unknown"
    if isinstance(error, Cancelled):
        return "cancelled"
    return "failed"


def refused_by(error: OperationError) -> str:
    """The kind of limit behind a refusal: calls, spend, rate, concurrency or operator_budget."""
    if isinstance(error, OperatorBudgetExhausted):
        return "operator_budget"
    if isinstance(error, RateLimited):
        return "concurrency" if error.limit_name == "concurrent operations" else "rate"
    if isinstance(error, QuotaExceeded):
        return "spend" if error.is_money else "calls"
    return "other"
