"""Changes to a dict kept aside: what a unit of work's draft of a memory store is made of."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Overlay(MutableMapping[K, V]):
    """Reads see the changes over the dict underneath, which stays as it was until `merge`."""

    def __init__(self, base: MutableMapping[K, V]) -> None:
        self._base = base
        self._set: dict[K, V] = {}
        self._gone: set[K] = set()

    def __getitem__(self, key: K) -> V:
        if key in self._set:
            return self._set[key]
        if key in self._gone:
            raise KeyError(key)
        return self._base[key]

    def __setitem__(self, key: K, value: V) -> None:
        self._set[key] = value
        self._gone.discard(key)

    def __delitem__(self, key: K) -> None:
        if key not in self:
            raise KeyError(key)
        self._set.pop(key, None)
        self._gone.add(key)

    def __iter__(self) -> Iterator[K]:
        yield from self._set
        yield from (key for key in self._base if key not in self._set and key not in self._gone)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def merge(self) -> None:
        """Apply the changes to the dict underneath."""
        for key in self._gone:
            self._base.pop(key, None)
        self._base.update(self._set)
