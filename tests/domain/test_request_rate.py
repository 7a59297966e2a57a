"""The sliding minute found by bisection agrees with counting every grant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from imagestudio.domain.limit import Limit
from imagestudio.domain.request_rate import WINDOW, in_window, rate_refusal, with_grant

START = datetime(2026, 1, 1, tzinfo=UTC)
moments = st.integers(0, 180_000).map(lambda ms: START + timedelta(milliseconds=ms))


@given(st.lists(moments, max_size=40), moments)
def test_the_window_holds_exactly_the_grants_less_than_a_minute_old(
    granted: list[datetime], at: datetime
) -> None:
    granted.sort()
    assert list(in_window(granted, at)) == [moment for moment in granted if moment > at - WINDOW]


@given(st.lists(moments, max_size=40), moments)
def test_a_grant_joins_the_window_in_time_order(granted: list[datetime], at: datetime) -> None:
    granted.sort()
    after = with_grant(granted, at)
    assert after == sorted([moment for moment in granted if moment > at - WINDOW] + [at])


@given(st.lists(moments, max_size=40), moments, st.integers(1, 10))
def test_a_refusal_comes_exactly_when_one_more_would_exceed_the_limit(
    granted: list[datetime], at: datetime, limit: int
) -> None:
    granted.sort()
    recent = in_window(granted, at)
    refused = rate_refusal("u", len(recent), recent[0] if recent else None, at, Limit.of(limit))
    assert (refused is not None) == (len(recent) + 1 > limit)
    if refused is not None:
        assert refused.retry_after_seconds == max(
            1, -(-int((recent[0] + WINDOW - at).total_seconds() * 1e6) // 1_000_000)
        )
