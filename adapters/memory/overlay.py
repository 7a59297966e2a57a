"""Changes to a dict kept aside: what a unit of work's draft of a memory store is made of."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any, TypeVar, cast

K = TypeVar("K")
V = TypeVar("V")

_GONE: Any = object()
"""The change "deleted", kept among the values set so a read looks a key up once."""
_ABSENT: Any = object()


class Overlay(MutableMapping[K, V]):
    """Reads see the changes over the dict underneath, which stays as it was until `merge`.

    One dict holds every change (a value, or `_GONE`): a read hashes its key at most twice (the
    changes, then the dict underneath), which counts when keys are dataclasses hashed in Python.
    """

    __slots__ = ("_base", "_changes", "_deletes")

    def __init__(self, base: MutableMapping[K, V]) -> None:
        self._base = base
        self._changes: dict[K, V] = {}
        self._deletes = False  # whether any change is `_GONE`

    def __getitem__(self, key: K) -> V:
        changed = self._changes.get(key, _ABSENT)
        if changed is _ABSENT:
            return self._base[key]
        if changed is _GONE:
            raise KeyError(key)
        return cast(V, changed)

    def get(self, key: K, default: Any = None) -> Any:
        changed = self._changes.get(key, _ABSENT)
        if changed is _ABSENT:
            return self._base.get(key, default)
        return default if changed is _GONE else changed

    def __contains__(self, key: object) -> bool:
        changed = self._changes.get(cast(K, key), _ABSENT)
        if changed is _ABSENT:
            return key in self._base
        return changed is not _GONE

    def __setitem__(self, key: K, value: V) -> None:
        if self._changes.get(key, _ABSENT) is _GONE:
            del self._changes[key]  # set anew: after the other changes, as a new key is
        self._changes[key] = value

    def __delitem__(self, key: K) -> None:
        if key not in self:
            raise KeyError(key)
        self._changes[key] = _GONE
        self._deletes = True

    def __iter__(self) -> Iterator[K]:
        changes = self._changes
        yield from (key for key, value in changes.items() if value is not _GONE)
        yield from (key for key in self._base if key not in changes)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def merge(self) -> None:
        """Apply the changes to the dict underneath."""
        base = self._base
        if not self._deletes:  # the common case: one update of the dict underneath
            base.update(self._changes)
            return
        for key, value in self._changes.items():
            if value is _GONE:
                base.pop(key, None)
        base.update((key, value) for key, value in self._changes.items() if value is not _GONE)
