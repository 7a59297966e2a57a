"""`dimension_key` gives equal keys as the same object, and stays bounded."""

from __future__ import annotations

import pickle

from hypothesis import given
from hypothesis import strategies as st

from imagestudio.domain import quota
from imagestudio.domain.quota import DimensionKey, Scope, dimension_key

texts = st.text(min_size=1, max_size=12)


@given(scope=st.sampled_from(Scope), owner=texts, name=texts, period=texts)
def test_a_key_is_the_dimension_key_it_names_and_the_same_object_each_time(
    scope: Scope, owner: str, name: str, period: str
) -> None:
    key = dimension_key(scope, owner, name, period)

    assert key == DimensionKey(scope, owner, name, period)
    assert hash(key) == hash(DimensionKey(scope, owner, name, period))
    assert dimension_key(scope, owner, name, period) is key
    assert pickle.loads(pickle.dumps(key)) == key


def test_the_keys_kept_are_bounded() -> None:
    for n in range(quota._KNOWN_KEYS_KEPT * 2 + 1):
        dimension_key(Scope.USER, f"user{n}", "spend", "2026-12")

    assert 0 < len(quota._KNOWN_KEYS) <= quota._KNOWN_KEYS_KEPT
    assert dimension_key(Scope.USER, "user0", "spend", "2026-12") == DimensionKey(
        Scope.USER, "user0", "spend", "2026-12"
    )
