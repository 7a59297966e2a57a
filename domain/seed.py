"""The seeds a request may ask for: the range every provider takes, so a run (or its fallback to
another provider) is never refused for its seed once it was reserved."""

from __future__ import annotations

MAX_SEED = 2_147_483_647
"""WaveSpeed's largest seed (a signed 32-bit integer); Stability's goes to 4,294,967,294."""


def seed_problem(seed: int, calls: int) -> str | None:
    """What is wrong with `seed` for a request made of `calls` provider calls, or None. Each call
    takes the next seed (so its variations differ): the last one must still be in range."""
    highest = MAX_SEED - (calls - 1)
    if 0 <= seed <= highest:
        return None
    if calls == 1:
        return f"must be from 0 to {MAX_SEED}"
    return (
        f"must be from 0 to {highest}: each of its {calls} provider calls takes the next seed, "
        f"and the last must be at most {MAX_SEED}"
    )
