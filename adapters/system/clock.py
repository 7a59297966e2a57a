"""Clocks: the system's UTC clock, and a fixed one that tests move by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SystemClock:
    """The `Clock` port on the system clock, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """The `Clock` port standing still until a test moves it."""

    def __init__(self, start: datetime) -> None:
        self._now = _aware(start)

    def now(self) -> datetime:
        return self._now

    def advance(self, by: timedelta) -> datetime:
        self._now += by
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = _aware(moment)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a clock tells aware time; give the datetime a timezone")
    return moment
