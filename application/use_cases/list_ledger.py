"""List ledger: a user's own ledger lines, newest first, by page, optionally of one period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from returns.result import Failure, Result, Success

from imagestudio.application.page_cursors import parsed_place, place_text
from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.ledger import Ledger, LedgerPlace
from imagestudio.application.ports.quota_store import QuotaStore
from imagestudio.application.user_periods import user_period
from imagestudio.domain.billing_period import BillingPeriod
from imagestudio.domain.errors import InvalidInput, UnknownUser
from imagestudio.domain.usage_record import UsageRecord

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerPage:
    items: tuple[UsageRecord, ...]
    next_cursor: str | None
    """What to pass as `cursor` for the next page; None on the last page."""
    period: BillingPeriod | None
    """The period the lines were kept to; None when every period was listed."""


class ListLedger:
    """Lists the caller's ledger lines (operations and adjustments) newest first by when they
    finished; another user's lines never appear."""

    def __init__(self, ledger: Ledger, quota: QuotaStore, clock: Clock) -> None:
        self._ledger = ledger
        self._quota = quota
        self._clock = clock

    async def execute(
        self,
        user_id: str,
        cursor: str | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
        period: date | None = None,
        *,
        current_period: bool = False,
    ) -> Result[LedgerPage, InvalidInput | UnknownUser]:
        """Up to `limit` (1 to 200) lines after `cursor` (a previous page's `next_cursor`,
        given with the same period): of the billing period containing the day `period`, or
        this period with `current_period`, or of every period. An unknown user is
        `UnknownUser`, whether a period is named or not."""
        if not 1 <= limit <= MAX_PAGE_SIZE:
            return Failure(InvalidInput("limit", f"must be from 1 to {MAX_PAGE_SIZE}, not {limit}"))
        after: LedgerPlace | None = None
        if cursor is not None:
            place = parsed_place(cursor)
            if isinstance(place, Failure):
                return Failure(place.failure())
            after = place.unwrap()
        chosen: BillingPeriod | None = None
        if period is not None or current_period:
            found = await user_period(self._quota, user_id, period, self._clock.now())
            if isinstance(found, Failure):
                return Failure(found.failure())
            chosen = found.unwrap()[1]
        lines = await self._ledger.page(
            user_id, period=None if chosen is None else chosen.key, after=after, limit=limit + 1
        )
        if not lines and after is None and chosen is None:
            # As with a period named: a mistyped user is not a user without lines.
            known = await self._quota.plan_of(user_id)
            if isinstance(known, Failure):
                return Failure(known.failure())
        items = lines[:limit]
        more = len(lines) > limit
        next_cursor = place_text(items[-1].finished_at, items[-1].operation_id) if more else None
        return Success(LedgerPage(items=items, next_cursor=next_cursor, period=chosen))
