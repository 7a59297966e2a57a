"""Id generators: random UUIDs in production, sequential ids for tests and offline runs."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator


class UuidIdGenerator:
    """The `IdGenerator` port on random UUIDs: "op_3f2b…"."""

    def new_id(self, prefix: str) -> str:
        # What `uuid.uuid4().hex` gives, without the `UUID` object (about 200 bytecodes in
        # Python): the money path makes three ids per operation.
        raw = bytearray(os.urandom(16))
        raw[6] = raw[6] & 0x0F | 0x40  # version 4
        raw[8] = raw[8] & 0x3F | 0x80  # the RFC 4122 variant
        return f"{prefix}_{raw.hex()}"


class SequentialIdGenerator:
    """The `IdGenerator` port counting per prefix: "op_000001", "op_000002", "res_000001"."""

    def __init__(self) -> None:
        self._counters: dict[str, Iterator[int]] = {}

    def new_id(self, prefix: str) -> str:
        counter = self._counters.setdefault(prefix, itertools.count(1))
        return f"{prefix}_{next(counter):06d}"
