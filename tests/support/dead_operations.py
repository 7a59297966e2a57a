"""Operations a dead process left: reserved, never sent, their leases run out minutes ago (what
`db sweep` and `keep_sweeping` must settle)."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta

from imagestudio.application.operation_ports import OperationPorts
from imagestudio.application.use_cases.sweep import SweepAbandoned
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.quota import ReservationRequest

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
