"""Audit against the providers' books: our ledger matched with what each provider itself says
it billed, with every difference and what to do about it. Read-only: it writes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from returns.result import Failure, Result, Success

from imagestudio.application.audit.balance import compare_balance
from imagestudio.application.audit.matching import Span, Unsettled, match_tasks
from imagestudio.application.audit.report import AuditMethod, AuditReport, ProviderAudit
from imagestudio.application.audit.wording import unused_opening
from imagestudio.application.ports.catalog import ModelCatalog
from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.ledger import Ledger
from imagestudio.application.ports.operation_store import OperationStore
from imagestudio.application.ports.provider_book import (
    Balance,
    BilledTasks,
    BookUnreadable,
    ProviderBook,
)
from imagestudio.application.time_spans import future_problem, span_problem
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.errors.echo import echoed
from imagestudio.domain.money import Micros
from imagestudio.domain.operation_query import UNFINISHED, OperationCursor, OperationQuery
from imagestudio.domain.usage_record import UsageRecord

SLACK = timedelta(minutes=2)
"""How far the provider's clock and ours may differ, and a call from its billing."""
SETTLE_MARGIN = timedelta(hours=26)
"""How long after its billing a line may be written: reconciliation gives a task up after the
provider's retention (24 h) and its own delay."""
_PAGE = 500


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditRequest:
    since: datetime
    until: datetime | None = None
    """Exclusive; None: up to now."""
    provider: str | None = None
    """One provider; None: every provider with a book."""
    opening_balances: Mapping[str, Micros] = field(default_factory=dict)
    """For a balance-only provider, its balance at `since` (the operator's own reading)."""


class AuditProvider:
    """Matches the ledger with each provider's own book over a span and reports differences.

    Where the provider keeps a book of billed tasks, lines are matched task by task: by the
    provider's task id, then — for calls that never got one — by model, price and time. Where
    it shows a balance only, the balance's fall is compared with our recorded cost, and the
    report says that only totals could be compared. Nothing is written.
    """

    def __init__(
        self,
        ledger: Ledger,
        operations: OperationStore,
        catalog: ModelCatalog,
        books: Mapping[str, ProviderBook],
        clock: Clock,
    ) -> None:
        self._ledger = ledger
        self._operations = operations
        self._catalog = catalog
        self._books = dict(books)
        self._clock = clock

    async def execute(self, request: AuditRequest) -> Result[AuditReport, InvalidInput]:
        """The report over [since, until); a bad span or an unknown provider is refused before
        anything is read."""
        problem = self._problem(request)
        if problem is not None:
            return Failure(problem)
        now = self._clock.now()
        if (late := future_problem("since", request.since, request.until, now)) is not None:
            return Failure(late)
        request = replace(
            request,
            since=request.since.astimezone(UTC),
            until=None if request.until is None else request.until.astimezone(UTC),
        )
        until = request.until or now
        names = [request.provider] if request.provider else sorted(self._books)
        audits = [await self._audit(self._books[name], request, until, now) for name in names]
        return Success(AuditReport(since=request.since, until=until, providers=tuple(audits)))

    def _problem(self, request: AuditRequest) -> InvalidInput | None:
        if request.since.tzinfo is None or (request.until and request.until.tzinfo is None):
            return InvalidInput("since", "give times with a timezone")
        if (span := span_problem("since", request.since, "until", request.until)) is not None:
            return span
        try:  # the book and the ledger are read this far beyond the span, in UTC
            _ = (
                request.since.astimezone(UTC) - SETTLE_MARGIN,
                (request.until or request.since).astimezone(UTC) + SETTLE_MARGIN,
            )
        except OverflowError:
            return InvalidInput("since", "the span is too near the ends of the calendar")
        known = ", ".join(sorted(self._books)) or "none"
        if request.provider is not None and request.provider not in self._books:
            return InvalidInput(
                "provider", f"no book to audit for {echoed(request.provider)} (providers: {known})"
            )
        for name in request.opening_balances:
            if name not in self._books:
                return InvalidInput(
                    "opening_balance", f"no book to audit for {echoed(name)} (providers: {known})"
                )
        return None

    async def _audit(
        self, book: ProviderBook, request: AuditRequest, until: datetime, now: datetime
    ) -> ProviderAudit:
        span = Span(since=request.since, until=until, slack=SLACK)
        reading = await book.read(request.since - SETTLE_MARGIN, until + SLACK)
        if isinstance(reading, BookUnreadable):
            lines = await self._lines(book.provider, request.since, until)
            return ProviderAudit(
                provider=book.provider,
                method=AuditMethod.UNREADABLE,
                method_note=f"{book.provider} could not be asked: {reading.reason}",
                lines=len(lines),
                recorded_cost=sum(line.provider_cost for line in lines),
                unconfirmed_cost=sum(line.unconfirmed_cost for line in lines),
            )
        if isinstance(reading, Balance):
            return compare_balance(
                book.provider,
                await self._lines(book.provider, request.since, now),
                closing=reading.amount,
                read_at=now,
                since=request.since,
                until=until,
                opening=request.opening_balances.get(book.provider),
            )
        audit = await self._by_task(book.provider, reading, span)
        opening = request.opening_balances.get(book.provider)
        return audit if opening is None else unused_opening(audit, opening)

    async def _by_task(self, provider: str, reading: BilledTasks, span: Span) -> ProviderAudit:
        lines = await self._lines(provider, span.since - span.slack, span.until + SETTLE_MARGIN)
        matching = match_tasks(
            lines,
            reading.tasks,
            routes={line.model_id: self._route(line.model_id) for line in lines},
            span=span,
            unsettled=await self._unsettled(provider),
        )
        in_span = [line for line in lines if span.holds(line.finished_at)]
        billed = [task for task in reading.tasks if span.holds(task.billed_at)]
        return ProviderAudit(
            provider=provider,
            method=AuditMethod.TASKS,
            method_note=(
                f"{provider}'s book lists every task it billed: matched task by task, "
                f"{matching.matched_by_id} by the provider's task id and "
                f"{matching.matched_by_window} by model, price and time (calls that never "
                "got a task id)"
            ),
            lines=len(in_span),
            recorded_cost=sum(line.provider_cost for line in in_span),
            unconfirmed_cost=sum(line.unconfirmed_cost for line in in_span),
            billed_tasks=len(billed),
            billed_cost=sum(task.amount for task in billed),
            matched_by_id=matching.matched_by_id,
            matched_by_window=matching.matched_by_window,
            differences=matching.differences,
            unbilled=matching.unbilled,
        )

    async def _lines(
        self, provider: str, since: datetime, until: datetime
    ) -> tuple[UsageRecord, ...]:
        found = await self._ledger.between(since, until)
        return tuple(line for line in found if line.provider == provider and line.kind is not None)

    def _route(self, model_id: str) -> str | None:
        model = self._catalog.get(model_id)
        return None if model is None else model.provider_path.split("?", 1)[0]

    async def _unsettled(self, provider: str) -> tuple[Unsettled, ...]:
        found: list[Unsettled] = []
        after: OperationCursor | None = None
        while True:
            page = await self._operations.find(
                None, OperationQuery(statuses=UNFINISHED), after=after, limit=_PAGE
            )
            found.extend(
                Unsettled(
                    operation_id=op.id,
                    status=op.status.value,
                    route=self._route(op.model_id),
                    task_ids=op.provider_task_ids,
                    created_at=op.created_at,
                )
                for op in (tracked.operation for tracked in page)
                if op.provider == provider
            )
            if len(page) < _PAGE:
                return tuple(found)
            after = OperationCursor.at(page[-1].operation)
