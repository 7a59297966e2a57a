"""A counter's key hashes once and stays a good dict key wherever it is rebuilt."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from imagestudio.domain.quota import DimensionKey, Scope

keys = st.builds(DimensionKey, st.sampled_from(Scope), st.text(), st.text(), st.text())


@given(keys)
def test_equal_keys_hash_alike_and_order_by_their_fields(key: DimensionKey) -> None:
    twin = DimensionKey(key.scope, key.owner, key.name, key.period)

    assert twin == key and hash(twin) == hash(key) and {key: 1}[twin] == 1
    assert pickle.loads(pickle.dumps(key)) == key
    assert not key < twin


def test_a_key_unpickled_in_another_process_finds_its_twin() -> None:
    # String hashes differ between processes: a key carrying its old hash would be lost.
    pickled = pickle.dumps(DimensionKey(Scope.USER, "ada", "spend", "2026-12"))
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "import pickle, sys\n"
            "from imagestudio.domain.quota import DimensionKey, Scope\n"
            "key = pickle.loads(sys.stdin.buffer.read())\n"
            "print({DimensionKey(Scope.USER, 'ada', 'spend', '2026-12'): 'found'}.get(key))",
        ],
        input=pickled,
        capture_output=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    assert found.stdout.strip() == b"found"
