"""List users: who is subscribed, on which plan, since when, with how many keys, and what they
have spent this billing period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from returns.result import Failure, Result, Success

from imagestudio.application.input_rules import text_problem
from imagestudio.application.ports.api_keys import ApiKeys
from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.quota_store import QuotaAdministration, QuotaStore
from imagestudio.domain.billing_period import BillingPeriod, period_containing
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.money import Micros
from imagestudio.domain.plan import Plan, Subscription
from imagestudio.domain.quota import SPEND, Counter, DimensionKey, Scope

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class UserOverview:
    user_id: str
    plan: str
    created_at: datetime | None
    keys: int
    """Every key the user was issued, revoked ones too."""
    live_keys: int
    spend: Micros
    """Committed this period (what is held for running operations is not spent yet)."""
    spend_cap: Micros | None
    period: BillingPeriod | None
    """The user's current billing period; None if their plan is gone meanwhile."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UserPage:
    items: tuple[UserOverview, ...]
    next_cursor: str | None
    """The last user id shown, to pass as `after` for the next page; None on the last page."""


class ListUsers:
    """Lists users by id, a page at a time (or all of them), each with their plan, keys and
    spend this period (read from the quota's counters, as `usage` reads it)."""

    def __init__(
        self,
        administration: QuotaAdministration,
        quota: QuotaStore,
        keys: ApiKeys,
        clock: Clock,
    ) -> None:
        self._administration = administration
        self._quota = quota
        self._keys = keys
        self._clock = clock

    async def execute(
        self, after: str | None = None, limit: int | None = None
    ) -> Result[UserPage, InvalidInput]:
        """Up to `limit` (1 to 200; None: every user) users whose id sorts after `after`."""
        if limit is not None and not 1 <= limit <= MAX_PAGE_SIZE:
            return Failure(InvalidInput("limit", f"must be from 1 to {MAX_PAGE_SIZE}, not {limit}"))
        # A place among user ids, not an id to find: text no id can be is a wrong cursor.
        if after is not None and (problem := text_problem(after)) is not None:
            return Failure(InvalidInput("after", problem))
        found = await self._administration.users(
            after=after, limit=None if limit is None else limit + 1
        )
        shown = found if limit is None else found[:limit]
        plans = {plan.name: plan for plan in await self._quota.plans()}
        now = self._clock.now()
        items = tuple([await self._overview(user, plans.get(user.plan), now) for user in shown])
        more = limit is not None and len(found) > limit
        return Success(UserPage(items=items, next_cursor=shown[-1].user_id if more else None))

    async def _overview(self, user: Subscription, plan: Plan | None, now: datetime) -> UserOverview:
        keys = await self._keys.keys_of(user.user_id)
        spend = 0
        period = None if plan is None else period_containing(now, plan.anchor)
        if period is not None:
            counters = await self._quota.counters(user.user_id, now)
            key = DimensionKey(Scope.USER, user.user_id, SPEND, period.key)
            spend = counters.get(key, Counter()).used
        return UserOverview(
            user_id=user.user_id,
            plan=user.plan,
            created_at=user.created_at,
            keys=len(keys),
            live_keys=sum(key.is_live for key in keys),
            spend=spend,
            spend_cap=None if plan is None else plan.spend_cap.maximum,
            period=period,
        )
