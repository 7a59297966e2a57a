"""How many operations one round of upkeep (a sweep, a reconciliation) may take."""

from __future__ import annotations

from imagestudio.domain.errors.echo import echoed

MOST_IN_A_ROUND = 1_000_000
"""Past a 64-bit LIMIT the database refuses the read (an OverflowError); far below it, one round
already holds more leases than a process settles before they run out."""


def checked_round(limit: object) -> int:
    """`limit` when it is a whole number from 1 to `MOST_IN_A_ROUND`; else a ValueError, since
    the adapters read the rest differently (SQLite takes -1 as no limit, the memory stores 0)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MOST_IN_A_ROUND:
        raise ValueError(
            f"a round takes a whole number of operations from 1 to {MOST_IN_A_ROUND}, "
            f"not {echoed(limit)}"
        )
    return limit
