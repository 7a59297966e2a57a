"""The highest quality whose output fits in a number of bytes, found by bisection."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from returns.result import Failure, Result, Success


def best_fitting(
    qualities: Sequence[int], encode: Callable[[int], bytes], limit: int
) -> Result[bytes, int]:
    """The output of the highest of `qualities` (ascending) that is at most `limit` bytes.

    Output size grows with quality closely enough to bisect on, and only an output that was
    measured to fit is returned. When even the lowest quality's output is too large, the
    failure is its size: the smallest this image gets.
    """
    highest = encode(qualities[-1])
    if len(highest) <= limit:
        return Success(highest)
    lowest = encode(qualities[0])
    if len(lowest) > limit:
        return Failure(len(lowest))
    fits, found, misses = 0, lowest, len(qualities) - 1
    while misses - fits > 1:
        middle = (fits + misses) // 2
        output = encode(qualities[middle])
        if len(output) <= limit:
            fits, found = middle, output
        else:
            misses = middle
    return Success(found)
