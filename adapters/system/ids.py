"""Id generators: random UUIDs in production, sequential ids for tests and offline runs."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator


class UuidIdGenerator:
    """The `IdGenerator` port on random UUIDs: "op_3f2b…"."""

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{uuid.uuid4().hex}"


class SequentialIdGenerator:
    """The `IdGenerator` port counting per prefix: "op_000001", "op_000002", "res_000001"."""

    def __init__(self) -> None:
        self._counters: dict[str, Iterator[int]] = {}

    def new_id(self, prefix: str) -> str:
        counter = self._counters.setdefault(prefix, itertools.count(1))
        return f"{prefix}_{next(counter):06d}"
