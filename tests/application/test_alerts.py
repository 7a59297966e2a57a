"""Alerts: reaching 80% and 100% of a finite limit is recorded once per period and told."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from fakes import FLAT_PRICE, NEXT_PERIOD_START, PERIOD, Fail, text_to_image
from returns.result import Success

from imagestudio.adapters.memory.alert_log import InMemoryAlertLog
from imagestudio.adapters.system.ids import SequentialIdGenerator
from imagestudio.application.money_path.settle import Settle
from imagestudio.application.threshold_alerts import ThresholdAlerts
from imagestudio.application.use_cases.adjust_charge import AdjustCharge, Adjustment
from imagestudio.application.use_cases.run_operation import RunOperation
from imagestudio.application.use_cases.usage import ReadUsage
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import Plan
from imagestudio.domain.quota_alert import QuotaAlert

if TYPE_CHECKING:
    from conftest import Studio

GEN = "calls:image-generation"
TEN_CALLS = Plan(
    name="ten-calls",
    calls={QuotaCategory.IMAGE_GENERATION: Limit.of(10)},
    spend_cap=Limit.of(100 * FLAT_PRICE),
)
FIVE_DOLLARS = Plan(name="five-images", spend_cap=Limit.of(5 * FLAT_PRICE))


@dataclass(slots=True)
class RecordingNotifier:
    told: list[QuotaAlert] = field(default_factory=list)
    broken: bool = False

    async def notify(self, alert: QuotaAlert) -> None:
        if self.broken:
            raise ConnectionError("the mail server is down")
        self.told.append(alert)


@dataclass(slots=True)
class Watched:
    studio: Studio
    log: InMemoryAlertLog
    notifier: RecordingNotifier
    alerts: ThresholdAlerts
    run: RunOperation

    async def generate(self, outputs: int = 1, user: str = "zoe") -> None:
        result = await self.run.execute(text_to_image(user, outputs=outputs))
        assert isinstance(result, Success), result

    def told(self) -> list[tuple[str, int]]:
        return [(alert.dimension, alert.threshold) for alert in self.notifier.told]


@pytest.fixture
async def watched(studio: Studio) -> Watched:
    """Zoe is on ten generations a month; Yan may spend five images' worth."""
    for plan in (TEN_CALLS, FIVE_DOLLARS):
        await studio.quota.define_plan(plan)
    await studio.quota.assign("zoe", TEN_CALLS.name)
    await studio.quota.assign("yan", FIVE_DOLLARS.name)
    log, notifier = InMemoryAlertLog(), RecordingNotifier()
    alerts = ThresholdAlerts(studio.quota, log, notifier, studio.clock)
    settle = Settle(studio.ports.unit_of_work, alerts)
    return Watched(studio, log, notifier, alerts, RunOperation(studio.ports, settle=settle))


async def test_below_80_percent_nothing_is_told(watched: Watched) -> None:
    await watched.generate(7)

    assert watched.told() == []


async def test_reaching_80_percent_of_calls_is_told_with_its_numbers(watched: Watched) -> None:
    await watched.generate(8)

    (alert,) = watched.notifier.told
    assert (alert.user_id, alert.dimension, alert.period, alert.threshold) == (
        "zoe",
        GEN,
        PERIOD,
        80,
    )
    assert (alert.used, alert.limit) == (8, 10)


async def test_each_threshold_is_told_once_per_period(watched: Watched) -> None:
    await watched.generate(8)
    await watched.generate(1)

    assert watched.told() == [(GEN, 80)]


async def test_reaching_the_limit_is_told_too(watched: Watched) -> None:
    await watched.generate(8)
    await watched.generate(2)

    assert watched.told() == [(GEN, 80), (GEN, 100)]


async def test_jumping_past_both_thresholds_tells_both(watched: Watched) -> None:
    await watched.generate(10)

    assert watched.told() == [(GEN, 80), (GEN, 100)]


async def test_the_spend_cap_alerts_like_a_call_limit(watched: Watched) -> None:
    await watched.generate(4, user="yan")

    assert watched.told() == [("spend", 80)]
    assert watched.notifier.told[0].used == 4 * FLAT_PRICE


async def test_unlimited_limits_never_alert(watched: Watched) -> None:
    await watched.generate(10, user="ada")  # roomy: 100 calls, unlimited spend

    assert watched.told() == []


async def test_a_new_period_alerts_again(watched: Watched) -> None:
    await watched.generate(8)
    watched.studio.clock.set(NEXT_PERIOD_START + timedelta(hours=1))

    await watched.generate(8)

    assert [(alert.period, alert.threshold) for alert in watched.notifier.told] == [
        (PERIOD, 80),
        ("2026-12-01", 80),
    ]


async def test_a_failed_operation_raises_no_alert(watched: Watched) -> None:
    await watched.generate(7)
    watched.studio.provider.script(Fail())

    await watched.run.execute(text_to_image("zoe"))

    assert watched.told() == []


async def test_a_broken_notifier_never_fails_the_operation_and_the_alert_is_kept(
    watched: Watched,
) -> None:
    watched.notifier.broken = True

    await watched.generate(8)

    assert [alert.threshold for alert in await watched.log.for_user("zoe")] == [80]


async def test_usage_shows_the_alerts_of_the_period(watched: Watched) -> None:
    await watched.generate(8)
    usage = ReadUsage(watched.studio.quota, watched.studio.clock, watched.log)

    report = (await usage.execute("zoe")).unwrap()

    assert [(alert.dimension, alert.threshold) for alert in report.alerts] == [(GEN, 80)]


async def test_a_correction_upwards_raises_the_spend_alerts_it_reaches(watched: Watched) -> None:
    studio = watched.studio
    adjust = AdjustCharge(
        studio.quota,
        Settle(studio.ports.unit_of_work, watched.alerts),
        SequentialIdGenerator(),
        studio.clock,
    )

    await adjust.execute(Adjustment(user_id="yan", amount=4 * FLAT_PRICE, reason="missed"))

    assert watched.told() == [("spend", 80)]
