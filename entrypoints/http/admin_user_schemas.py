"""The admin's user shapes: a user to add, the key it was given, and the list of users (each
with plan, keys and spend this period, by page)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from imagestudio.application.use_cases.list_users import UserOverview, UserPage
from imagestudio.domain.money import format_usd


class UserOverviewOut(BaseModel):
    user_id: str
    plan: str
    created_at: datetime | None = Field(description="When the user was added (null: unknown).")
    keys: int = Field(description="Every key issued to the user, revoked ones too.")
    live_keys: int
    spend_micros: int = Field(description="Committed this billing period (held not included).")
    spend_usd: str
    spend_cap_micros: int | None = Field(description="The plan's cap per period; null: none.")
    spend_cap_usd: str | None
    period_start: datetime | None
    period_end: datetime | None

    @classmethod
    def of(cls, user: UserOverview) -> UserOverviewOut:
        cap = user.spend_cap
        return cls(
            user_id=user.user_id,
            plan=user.plan,
            created_at=user.created_at,
            keys=user.keys,
            live_keys=user.live_keys,
            spend_micros=user.spend,
            spend_usd=format_usd(user.spend),
            spend_cap_micros=cap,
            spend_cap_usd=None if cap is None else format_usd(cap),
            period_start=None if user.period is None else user.period.start,
            period_end=None if user.period is None else user.period.end,
        )


class UserPageOut(BaseModel):
    items: list[UserOverviewOut] = Field(description="Users by id.")
    next_cursor: str | None = Field(description="Pass as `after` for the next page; null: last.")

    @classmethod
    def of(cls, page: UserPage) -> UserPageOut:
        return cls(
            items=[UserOverviewOut.of(user) for user in page.items], next_cursor=page.next_cursor
        )


class NewUserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: str
    plan: str


class NewUserOut(BaseModel):
    user_id: str
    api_key: str
    """Shown this once; only its hash is kept."""
