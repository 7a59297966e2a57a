"""One OS process of the unit-of-work race: runs operations through SqlUnitOfWork, several at once.

Usage: python unit_race_worker.py DATABASE_URL USER PREFIX COUNT
Each operation is an accept unit (reserve, add the operation) and a settle unit (advance it,
commit the reservation, append its ledger line). Prints one JSON line: how many were settled.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta

from returns.result import Success

from imagestudio.adapters.sql.unit_of_work import SqlUnitOfWork
from imagestudio.application.ports.unit_of_work import Lease
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_kind import OperationKind, QuotaCategory
from imagestudio.domain.quota import ReservationRequest, Settlement
from imagestudio.domain.usage_record import Outcome, UsageRecord

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
AT_ONCE = 4
CHARGE = 1_000


async def one(units: SqlUnitOfWork, user: str, operation_id: str) -> bool:
    operation = ImageOperation(
        id=operation_id,
        user_id=user,
        kind=OperationKind.TEXT_TO_IMAGE,
        model_id="m",
        provider="acme",
        prompt="a race",
        input_digests=(),
        parameters={},
        outputs_requested=1,
        created_at=NOW,
        updated_at=NOW,
        status=OperationStatus.RESERVED,
        reservation_id=f"res_{operation_id}",
    )
    request = ReservationRequest(
        user_id=user,
        category=QuotaCategory.IMAGE_GENERATION,
        outputs=1,
        amount=CHARGE,
        provider="acme",
        at=NOW,
    )
    async with units.begin() as unit:
        reserved = await unit.quota.reserve(f"res_{operation_id}", request)
        if not isinstance(reserved, Success):
            return False
        await unit.operations.add(operation, Lease("race", NOW + timedelta(minutes=1)))
        await unit.commit()
    line = UsageRecord(
        user_id=user,
        operation_id=operation_id,
        model_id="m",
        provider="acme",
        kind=OperationKind.TEXT_TO_IMAGE,
        outputs=1,
        user_charge=CHARGE,
        provider_cost=CHARGE,
        outcome=Outcome.SUCCEEDED,
        output_bytes=1,
        latency_ms=1,
        billing_period="2026-11-01",
        started_at=NOW,
        finished_at=NOW,
    )
    async with units.begin() as unit:
        done = operation.advance(OperationStatus.SUBMITTED, NOW).unwrap()
        await unit.operations.advance(OperationStatus.RESERVED, done)
        await unit.quota.commit(f"res_{operation_id}", Settlement(outputs=1, amount=CHARGE))
        await unit.ledger.append(line)
        await unit.commit()
    return True


async def main(url: str, user: str, prefix: str, count: int) -> None:
    units = SqlUnitOfWork(url)
    gate = asyncio.Semaphore(AT_ONCE)

    async def gated(index: int) -> bool:
        async with gate:
            return await one(units, user, f"{prefix}_{index}")

    settled = await asyncio.gather(*(gated(index) for index in range(count)))
    await units.aclose()
    print(json.dumps({"settled": sum(settled)}))


if __name__ == "__main__":
    url, user, prefix, count = sys.argv[1:5]
    asyncio.run(main(url, user, prefix, int(count)))
