"""A billing period is derived from the timestamp and the plan's anchor; nothing resets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imagestudio.domain.billing_period import (
    CALENDAR_MONTH,
    BillingAnchor,
    BillingPeriod,
    period_containing,
)

offsets = st.timedeltas(min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23))
moments = st.builds(
    lambda naive, offset: naive.replace(tzinfo=timezone(offset)),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 12, 31)),
    offsets,
)
anchors = st.integers(min_value=1, max_value=31).map(BillingAnchor)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@given(moments, anchors)
def test_the_period_contains_the_moment(moment: datetime, anchor: BillingAnchor) -> None:
    assert period_containing(moment, anchor).contains(moment)


@given(moments, anchors)
def test_a_period_starts_before_it_ends(moment: datetime, anchor: BillingAnchor) -> None:
    period = period_containing(moment, anchor)

    assert period.start < period.end


@given(moments, anchors)
def test_consecutive_periods_tile_time(moment: datetime, anchor: BillingAnchor) -> None:
    period = period_containing(moment, anchor)

    assert period_containing(period.end, anchor).start == period.end
    assert period_containing(period.end - timedelta(microseconds=1), anchor) == period


@given(moments, anchors)
def test_a_period_lasts_between_28_and_31_days(moment: datetime, anchor: BillingAnchor) -> None:
    period = period_containing(moment, anchor)

    assert timedelta(days=28) <= period.end - period.start <= timedelta(days=31)


@given(moments, anchors)
def test_a_period_starts_at_midnight_utc_on_the_anchor_day_or_the_months_last_day(
    moment: datetime, anchor: BillingAnchor
) -> None:
    start = period_containing(moment, anchor).start
    next_day = start + timedelta(days=1)

    assert start.tzinfo is UTC
    assert (start.hour, start.minute, start.second, start.microsecond) == (0, 0, 0, 0)
    assert start.day == anchor.day or (start.day < anchor.day and next_day.day == 1)


@pytest.mark.parametrize(
    ("moment", "start", "end"),
    [
        (utc(2025, 2, 10), utc(2025, 1, 31), utc(2025, 2, 28)),
        (utc(2025, 2, 28), utc(2025, 2, 28), utc(2025, 3, 31)),
        (utc(2025, 3, 30, 23, 59), utc(2025, 2, 28), utc(2025, 3, 31)),
        (utc(2028, 2, 28), utc(2028, 1, 31), utc(2028, 2, 29)),
        (utc(2028, 2, 29), utc(2028, 2, 29), utc(2028, 3, 31)),
        (utc(2025, 4, 30), utc(2025, 4, 30), utc(2025, 5, 31)),
    ],
)
def test_an_anchor_on_the_31st_clamps_to_the_months_last_day(
    moment: datetime, start: datetime, end: datetime
) -> None:
    assert period_containing(moment, BillingAnchor(31)) == BillingPeriod(start, end)


def test_the_default_period_is_the_calendar_month() -> None:
    period = period_containing(utc(2025, 2, 14, 12))

    assert period == BillingPeriod(utc(2025, 2, 1), utc(2025, 3, 1))
    assert period.key == "2025-02-01"


@given(moments)
def test_the_calendar_month_anchor_starts_on_the_first(moment: datetime) -> None:
    period = period_containing(moment, CALENDAR_MONTH)
    in_utc = moment.astimezone(UTC)

    assert period.start == utc(in_utc.year, in_utc.month, 1)


def test_an_anchored_period_is_keyed_by_its_start_day() -> None:
    assert period_containing(utc(2025, 3, 20), BillingAnchor(15)).key == "2025-03-15"
    assert period_containing(utc(2025, 3, 10), BillingAnchor(15)).key == "2025-02-15"


def test_a_naive_timestamp_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        period_containing(datetime(2025, 2, 14))


def test_a_non_utc_timestamp_is_converted_to_utc_first() -> None:
    just_after_midnight_in_berlin = datetime(2025, 3, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))

    period = period_containing(just_after_midnight_in_berlin)

    assert period == BillingPeriod(utc(2025, 2, 1), utc(2025, 3, 1))


def test_a_timestamp_west_of_utc_can_fall_in_the_next_utc_period() -> None:
    evening_in_new_york = datetime(2025, 1, 31, 20, 0, tzinfo=timezone(timedelta(hours=-5)))

    assert period_containing(evening_in_new_york).key == "2025-02-01"


@pytest.mark.parametrize("day", [0, 32, -1])
def test_an_anchor_outside_1_to_31_is_refused(day: int) -> None:
    with pytest.raises(ValueError, match=r"1\.\.31"):
        BillingAnchor(day)


def test_a_period_refuses_to_judge_a_naive_timestamp() -> None:
    period = period_containing(datetime(2026, 3, 5, tzinfo=UTC))
    with pytest.raises(ValueError, match="aware"):
        period.contains(datetime(2026, 3, 6))
