"""The process's own after-commit hooks (`Settle.on_commit`: plain functions, run inline right
after the commit, as the webhook worker's wake-up is): called once per committed settlement and
never for a refused request; a failing hook is logged and the settlement stands."""

from __future__ import annotations

from decimal import Decimal

from imagestudio.application.money_path.settle import Settled
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import Plan
from imagestudio.entrypoints.api import Adjustment, GenerateRequest, ImageStudio, Profile

ONE_CALL = Plan(
    name="one-call",
    calls={category: Limit.of(1) for category in QuotaCategory},
    spend_cap=Limit.of(10**9),
    concurrent_operations=Limit.of(5),
)


async def test_a_hook_hears_each_committed_settlement_once_and_no_refusal() -> None:
    studio = await ImageStudio.connect(profile=Profile.TEST, offline_price_usd=Decimal("0.02"))
    heard: list[Settled] = []
    studio.container.settle().on_commit(heard.append)
    (await studio.define_plan.execute(ONE_CALL)).unwrap()
    await studio.assign_plan("ida", "one-call")
    kite = GenerateRequest(user_id="ida", prompt="a kite", seed=3)

    done = (await studio.generate.execute(kite)).unwrap()
    refused = await studio.generate.execute(kite)  # the plan's one call is spent
    (await studio.adjust_charge.execute(Adjustment(user_id="ida", amount=-1, reason="x"))).unwrap()

    assert refused.failure() is not None
    assert [s.operation.id if s.operation else None for s in heard] == [done.operation.id, None]
    assert heard[0].operation is not None
    assert heard[0].operation.status is OperationStatus.SUCCEEDED
    await studio.aclose()


async def test_a_failing_hook_is_logged_and_the_operation_stands() -> None:
    studio = await ImageStudio.connect(profile=Profile.TEST)

    def broken(_: Settled) -> None:
        raise RuntimeError("the host's counter is full")

    studio.container.settle().on_commit(broken)
    done = await studio.generate.execute(GenerateRequest(user_id="local", prompt="a kite"))

    assert done.unwrap().operation.status is OperationStatus.SUCCEEDED
    await studio.aclose()
