"""A running attempt's lease is renewed every third of a lease until it ends, on one timer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from fakes import Block, text_to_image

from imagestudio.adapters.system.clock import FixedClock
from imagestudio.application.money_path.lease_keeper import LeaseKeeper
from imagestudio.application.operation_ports import LeasePolicy
from imagestudio.application.use_cases.run_operation import RunOperation
from imagestudio.domain.operation import OperationStatus

if TYPE_CHECKING:
    from conftest import StudioFactory

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
POLICY = LeasePolicy(holder="here", ttl=timedelta(seconds=0.15))  # renewed every 50 ms


class Leases:
    """The lease port, recording each renewal; `fail` makes renewals raise."""

    def __init__(self) -> None:
        self.held: list[tuple[str, str, datetime]] = []
        self.fail = False

    async def hold(self, operation_id: str, holder: str, until: datetime) -> None:
        if self.fail:
            raise RuntimeError("the database is busy")
        self.held.append((operation_id, holder, until))

    def of(self, operation_id: str) -> int:
        return sum(1 for held, _, _ in self.held if held == operation_id)

    async def until(self, operation_id: str, renewals: int) -> None:
        """Wait (two seconds at most: a loaded machine delays timers) for `renewals`."""
        for _ in range(200):
            if self.of(operation_id) >= renewals:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{operation_id}: {self.of(operation_id)} renewals")


async def test_a_kept_lease_is_renewed_every_period_until_dropped() -> None:
    leases = Leases()
    keeper = LeaseKeeper(leases, FixedClock(NOW), POLICY)  # type: ignore[arg-type]

    keeper.keep("op_1")
    await asyncio.sleep(0)
    assert leases.held == []  # not before a period
    await leases.until("op_1", 3)
    assert set(leases.held) == {("op_1", "here", NOW + POLICY.ttl)}

    keeper.drop("op_1")
    renewed = leases.of("op_1")
    await asyncio.sleep(0.15)
    assert leases.of("op_1") == renewed


async def test_each_attempt_is_renewed_while_it_runs_and_none_after() -> None:
    leases = Leases()
    keeper = LeaseKeeper(leases, FixedClock(NOW), POLICY)  # type: ignore[arg-type]

    keeper.keep("op_1")
    await asyncio.sleep(0.03)
    keeper.keep("op_2")  # joins between two renewals: renewed with the others all the same
    await leases.until("op_2", 1)
    assert leases.of("op_1") >= 1
    keeper.drop("op_1")
    before = leases.of("op_1")
    await leases.until("op_2", 3)
    assert leases.of("op_1") == before
    keeper.drop("op_2")


async def test_a_failed_renewal_is_logged_and_the_next_period_retries(caplog: object) -> None:
    leases = Leases()
    keeper = LeaseKeeper(leases, FixedClock(NOW), POLICY)  # type: ignore[arg-type]
    leases.fail = True

    keeper.keep("op_1")
    for _ in range(200):
        if "could not renew" in caplog.text:  # type: ignore[attr-defined]
            break
        await asyncio.sleep(0.01)
    leases.fail = False
    await leases.until("op_1", 1)
    keeper.drop("op_1")

    assert "could not renew the lease of op_1" in caplog.text  # type: ignore[attr-defined]


def test_a_keeper_used_from_one_event_loop_after_another_renews_on_each() -> None:
    leases = Leases()
    keeper = LeaseKeeper(leases, FixedClock(NOW), POLICY)  # type: ignore[arg-type]

    async def run_for_a_while(operation_id: str) -> None:
        keeper.keep(operation_id)
        await leases.until(operation_id, 1)
        keeper.drop(operation_id)

    asyncio.run(run_for_a_while("op_1"))
    asyncio.run(run_for_a_while("op_2"))  # the first loop's timer died with it

    assert leases.of("op_1") >= 1 and leases.of("op_2") >= 1


async def test_a_long_provider_call_keeps_its_operation_leased_until_it_settles(
    make_studio: StudioFactory,
) -> None:
    studio = make_studio()
    leases = Leases()
    hold = studio.ports.leases.hold

    async def recording(operation_id: str, holder: str, until: datetime) -> None:
        await leases.hold(operation_id, holder, until)
        await hold(operation_id, holder, until)

    studio.ports.leases.hold = recording  # type: ignore[method-assign]
    run = RunOperation(studio.ports, POLICY)
    blocked = Block(after_sending=True)
    studio.provider.script(blocked)
    running = asyncio.create_task(run.execute(text_to_image()))
    await blocked.entered.wait()
    [operation_id] = studio.operations.saved_ids
    await leases.until(operation_id, 2)  # renewed while the provider works
    blocked.release()
    result = await running

    operation = result.unwrap().operation
    assert operation.status is OperationStatus.SUCCEEDED
    assert {held for held, _, _ in leases.held} == {operation.id}
    after = len(leases.held)
    await asyncio.sleep(0.12)
    assert len(leases.held) == after  # none once it settled
