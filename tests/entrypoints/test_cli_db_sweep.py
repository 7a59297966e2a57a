"""`imagestudio db sweep` settles every operation a dead process left, however many: the sweeper
takes a round at a time, and the command runs rounds until none is left."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from support.dead_operations import ROUND, leave_dead

from imagestudio.entrypoints.cli.studio import studio

if TYPE_CHECKING:
    from conftest import Cli


def test_db_sweep_settles_more_dead_operations_than_one_round_takes(cli: Cli) -> None:
    dead = ROUND + 5
    asyncio.run(leave_dead(studio().container.ports(), dead))

    report = cli.json("db", "sweep")

    assert len(report["abandoned"]) == dead
    usage = cli.json("usage")
    assert all(row["held"] == 0 for row in usage["rows"]), usage
