"""A round of upkeep (a sweep, a reconciliation) takes a whole number of operations from 1 to
`MOST_IN_A_ROUND`; anything else is a ValueError before any lease is taken, whatever the
adapters would make of it (SQLite reads -1 as no limit, the memory stores 0; 10**20 overflowed
SQLite's integer)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import pytest

from imagestudio.application.round_limit import MOST_IN_A_ROUND
from imagestudio.application.use_cases.reconcile import Reconcile
from imagestudio.application.use_cases.sweep import SweepAbandoned

if TYPE_CHECKING:
    from conftest import Studio

Round = Callable[["Studio", object], Awaitable[object]]


async def sweep(studio: Studio, limit: object) -> object:
    return await SweepAbandoned(studio.ports).execute(limit)  # type: ignore[arg-type]


async def reconcile(studio: Studio, limit: object) -> object:
    return await Reconcile(studio.ports, studio.run).execute(limit)  # type: ignore[arg-type]


ROUNDS = [sweep, reconcile]
NOT_A_ROUND = [0, -1, MOST_IN_A_ROUND + 1, 10**20, True, 2.5, "10", None]


@pytest.mark.parametrize("limit", NOT_A_ROUND, ids=repr)
@pytest.mark.parametrize("upkeep", ROUNDS, ids=lambda upkeep: upkeep.__name__)
async def test_a_round_of_no_whole_number_of_operations_is_refused(
    studio: Studio, upkeep: Round, limit: object
) -> None:
    with pytest.raises(ValueError, match="a round takes a whole number of operations"):
        await upkeep(studio, limit)


@pytest.mark.parametrize("limit", [1, MOST_IN_A_ROUND])
@pytest.mark.parametrize("upkeep", ROUNDS, ids=lambda upkeep: upkeep.__name__)
async def test_a_round_within_the_bounds_runs(studio: Studio, upkeep: Round, limit: int) -> None:
    await upkeep(studio, limit)
