"""A memory draft's overlay reads as the dict would after its changes, leaves the dict as it was
until merged, and merged, leaves it exactly so."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from imagestudio.adapters.memory.overlay import Overlay

keys = st.integers(0, 6)
changes = st.lists(st.tuples(st.sampled_from(["set", "delete"]), keys, st.integers()), max_size=12)


@given(st.dictionaries(keys, st.integers()), changes)
def test_the_overlay_reads_and_merges_as_the_changed_dict(
    base: dict[int, int], script: list[tuple[str, int, int]]
) -> None:
    before = dict(base)
    expected = dict(base)
    overlay = Overlay(base)
    for action, key, value in script:
        if action == "set":
            overlay[key] = value
            expected[key] = value
        elif key in expected:
            del overlay[key]
            del expected[key]
        assert dict(overlay) == expected
        assert len(overlay) == len(expected)
        assert all(
            overlay.get(k) == expected.get(k) and (k in overlay) == (k in expected)
            for k in range(7)
        )

    assert base == before
    overlay.merge()
    assert base == expected
