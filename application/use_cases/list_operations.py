"""List operations: a user's own operations newest first, filtered, by page, each with what it
holds of their plan and what it waits for."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from imagestudio.application.operation_views import OperationView, OperationViews
from imagestudio.application.operation_waits import ReconcileTiming
from imagestudio.application.page_cursors import moment_problem, parsed_place, place_text
from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.operation_store import OperationStore
from imagestudio.application.ports.quota_store import QuotaStore
from imagestudio.application.time_spans import span_problem
from imagestudio.domain.errors import InvalidInput, UnknownUser
from imagestudio.domain.operation_query import OperationCursor, OperationQuery

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationPage:
    items: tuple[OperationView, ...]
    next_cursor: str | None
    """What to pass as `cursor` for the next page; None on the last page."""


class ListOperations:
    """Lists the caller's operations newest first, filtered (statuses, kind, dates); another
    user's operations never appear."""

    def __init__(
        self,
        operations: OperationStore,
        quota: QuotaStore,
        clock: Clock,
        timing: ReconcileTiming | None = None,
    ) -> None:
        """`timing`: the reconciler's (`Reconcile.timing`), so a wait shown is the one it keeps."""
        self._operations = operations
        self._quota = quota
        self._views = OperationViews(quota, clock, timing or ReconcileTiming())

    async def execute(
        self,
        user_id: str,
        cursor: str | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
        query: OperationQuery | None = None,
    ) -> Result[OperationPage, InvalidInput | UnknownUser]:
        """Up to `limit` (1 to 200) of the user's operations matching `query` after `cursor`
        (a previous page's `next_cursor`, given with the same query).

        Each comes with what its reservation still holds and what it waits for, and until
        when (`OperationView`). A cursor stays valid while operations are added: the listing
        resumes strictly after the operation it names. A user who does not exist is
        `UnknownUser` (a mistyped `--user` would otherwise list nothing, as if they had no
        operations); asked only of an empty first page, so a listing costs no extra read.
        """
        if not 1 <= limit <= MAX_PAGE_SIZE:
            return Failure(InvalidInput("limit", f"must be from 1 to {MAX_PAGE_SIZE}, not {limit}"))
        query = query or OperationQuery()
        if (problem := query_problem(query)) is not None:
            return Failure(problem)
        after: OperationCursor | None = None
        if cursor is not None:
            place = parsed_place(cursor)
            if isinstance(place, Failure):
                return Failure(place.failure())
            created_at, operation_id = place.unwrap()
            after = OperationCursor(created_at=created_at, operation_id=operation_id)
        found = await self._operations.find(user_id, query, after=after, limit=limit + 1)
        if not found and after is None:
            known = await self._quota.plan_of(user_id)
            if isinstance(known, Failure):
                return Failure(known.failure())
        items = tuple([await self._views.of(tracked) for tracked in found[:limit]])
        if len(found) <= limit:
            return Success(OperationPage(items=items, next_cursor=None))
        last = found[limit - 1].operation
        return Success(OperationPage(items=items, next_cursor=place_text(last.created_at, last.id)))


def query_problem(query: OperationQuery) -> InvalidInput | None:
    """Why `query` cannot be run, or None."""
    for field, moment in (
        ("created_from", query.created_from),
        ("created_before", query.created_before),
    ):
        if (problem := moment_problem(field, moment)) is not None:
            return problem
    span = span_problem("created_from", query.created_from, "created_before", query.created_before)
    if span is not None:
        return span
    return None
