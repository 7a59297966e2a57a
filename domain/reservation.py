"""A reservation: quota held for one operation until it is committed or released, exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from imagestudio.domain.quota import Demand, ReservationRequest, Settlement


class ReservationState(StrEnum):
    HELD = "held"
    COMMITTED = "committed"
    RELEASED = "released"


@dataclass(frozen=True, slots=True, kw_only=True)
class Reservation:
    id: str
    request: ReservationRequest
    demands: tuple[Demand, ...]
    state: ReservationState = ReservationState.HELD
    settlement: Settlement | None = None

    @property
    def is_open(self) -> bool:
        return self.state is ReservationState.HELD

    @property
    def period(self) -> str:
        """The user's billing period key this reservation spends."""
        return self.demands[0].key.period
