"""`imagestudio db sweep` settles every operation a dead process left, however many: the sweeper
takes a round at a time, and the command runs rounds until none is left."""

from __future__ import annotations

import asyncio
import inspect
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from imagestudio.application.operation_ports import OperationPorts
from imagestudio.application.use_cases.sweep import SweepAbandoned
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.quota import ReservationRequest
from imagestudio.entrypoints.cli.studio import studio

if TYPE_CHECKING:
    from conftest import Cli

ROUND: int = inspect.signature(SweepAbandoned.execute).parameters["limit"].default


async def leave_dead(ports: OperationPorts, count: int) -> None:
    """`count` reserved operations whose process died, their leases run out minutes ago."""
    before = datetime.now(UTC) - timedelta(minutes=10)
    for index in range(count):
        operation = ImageOperation(
            id=f"op_dead{index}",
            user_id="local",
            kind=OperationKind.TEXT_TO_IMAGE,
            model_id="offline/text-to-image",
            provider="offline",
            prompt="x",
            input_digests=(),
            parameters={},
            outputs_requested=1,
            created_at=before,
            updated_at=before,
            reservation_id=f"res_dead{index}",
            status=OperationStatus.RESERVED,
        )
        request = ReservationRequest(
            user_id="local",
            category=operation.kind.category,
            outputs=1,
            amount=0,
            provider="offline",
            at=before,
        )
        async with ports.unit_of_work.begin() as unit:
            (await unit.quota.reserve(f"res_dead{index}", request)).unwrap()
            await unit.commit()
        await ports.operations.save(operation)
        await ports.leases.hold(operation.id, "dead-worker", before + timedelta(minutes=1))


def test_db_sweep_settles_more_dead_operations_than_one_round_takes(cli: Cli) -> None:
    dead = ROUND + 5
    asyncio.run(leave_dead(studio().container.ports(), dead))

    report = cli.json("db", "sweep")

    assert len(report["abandoned"]) == dead
    usage = cli.json("usage")
    assert all(row["held"] == 0 for row in usage["rows"]), usage
