"""An operator's command refused: a user who exists already or still has operations in flight,
a refund larger than the charge, a plan users are still on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from imagestudio.domain.errors.echo import echoed
from imagestudio.domain.errors.invalid_request import InvalidInput
from imagestudio.domain.money import format_usd


@dataclass(frozen=True, slots=True)
class UserExists:
    user_id: str

    @property
    def message(self) -> str:
        return (
            f"user {echoed(self.user_id)} already exists (change the plan with `imagestudio users "
            "set-plan`, the key with `imagestudio keys rotate`)"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundTooLarge:
    """A refund larger than what the user was charged this period: spend would go negative."""

    user_id: str
    period: str
    used: int
    refund: int

    @property
    def message(self) -> str:
        return (
            f"a refund of {format_usd(self.refund)} would take {self.user_id}'s spend for the "
            f"period from {self.period} below zero (charged {format_usd(self.used)})"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class UserBusy:
    """The user has operations still in flight or awaiting reconciliation."""

    user_id: str
    operation_ids: tuple[str, ...]

    @property
    def message(self) -> str:
        shown = ", ".join(self.operation_ids[:5])
        return (
            f"user {echoed(self.user_id)} has {len(self.operation_ids)} operation(s) not settled "
            f"yet ({shown}); wait for them or run `imagestudio reconcile`, then delete again"
        )


def plan_in_use(name: str, user_ids: Sequence[str]) -> InvalidInput:
    """The refusal to delete a plan users are on: they would be left with no limits."""
    shown = ", ".join(user_ids[:5]) + (", …" if len(user_ids) > 5 else "")
    return InvalidInput(
        "plan",
        f"{echoed(name)} has {len(user_ids)} user(s) on it ({shown}): move them to another plan "
        "(`imagestudio users set-plan`) first",
    )
