"""Clocks and id generators."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from imagestudio.adapters.system.clock import FixedClock, SystemClock
from imagestudio.adapters.system.ids import SequentialIdGenerator, UuidIdGenerator

T0 = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def test_system_clock_tells_aware_utc_time() -> None:
    now = SystemClock().now()

    assert now.utcoffset() == timedelta(0)
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


def test_fixed_clock_stands_still() -> None:
    clock = FixedClock(T0)

    assert clock.now() == T0
    assert clock.now() == T0


def test_fixed_clock_advances_by_a_duration() -> None:
    clock = FixedClock(T0)

    clock.advance(timedelta(minutes=90))

    assert clock.now() == T0 + timedelta(minutes=90)


def test_fixed_clock_can_be_set_to_a_moment() -> None:
    clock = FixedClock(T0)
    later = datetime(2027, 1, 1, tzinfo=timezone(timedelta(hours=2)))

    clock.set(later)

    assert clock.now() == later


def test_fixed_clock_refuses_naive_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        FixedClock(datetime(2026, 3, 4))


def test_uuid_ids_carry_the_prefix_and_a_uuid_hex() -> None:
    assert re.fullmatch(r"op_[0-9a-f]{32}", UuidIdGenerator().new_id("op"))


def test_uuid_ids_are_version_4_uuids() -> None:
    for _ in range(200):  # the version and variant bits set whatever the random bytes were
        parsed = uuid.UUID(hex=UuidIdGenerator().new_id("op").removeprefix("op_"))
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)


def test_uuid_ids_are_unique() -> None:
    ids = UuidIdGenerator()

    assert len({ids.new_id("op") for _ in range(1000)}) == 1000


def test_sequential_ids_count_from_one() -> None:
    ids = SequentialIdGenerator()

    assert [ids.new_id("op"), ids.new_id("op")] == ["op_000001", "op_000002"]


def test_sequential_ids_count_each_prefix_separately() -> None:
    ids = SequentialIdGenerator()
    ids.new_id("op")
    ids.new_id("op")

    assert ids.new_id("res") == "res_000001"
    assert ids.new_id("op") == "op_000003"
