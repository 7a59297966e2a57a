"""Every alert log — in memory, SQLite, PostgreSQL — keeps each alert once; and the default
notifier writes it to the log."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from support.sql_schema import engine_with_schema

from imagestudio.adapters.memory.alert_log import InMemoryAlertLog
from imagestudio.adapters.sql.alert_log import SqlAlertLog
from imagestudio.adapters.system.notifier import LoggingNotifier
from imagestudio.application.ports.alert_log import AlertLog
from imagestudio.domain.quota_alert import QuotaAlert

T0 = datetime(2026, 11, 20, 9, tzinfo=UTC)
ALERT = QuotaAlert(
    user_id="ada",
    dimension="spend",
    period="2026-11-01",
    threshold=80,
    used=1_600_000,
    limit=2_000_000,
    at=T0,
)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def alerts(request: pytest.FixtureRequest) -> AsyncIterator[AlertLog]:
    if request.param == "memory":
        yield InMemoryAlertLog()
        return
    url = str(
        request.getfixturevalue(f"{'sqlite' if request.param == 'sqlite' else 'postgres'}_url")
    )
    async with engine_with_schema(url) as engine:
        yield SqlAlertLog(engine)


async def test_a_new_alert_is_kept_as_it_was_given(alerts: AlertLog) -> None:
    assert await alerts.record(ALERT) is True

    assert await alerts.for_user("ada") == (ALERT,)


async def test_the_same_threshold_again_is_not_new_and_the_first_stays(alerts: AlertLog) -> None:
    await alerts.record(ALERT)

    assert await alerts.record(replace(ALERT, used=1_700_000, at=T0 + timedelta(hours=1))) is False
    assert await alerts.for_user("ada") == (ALERT,)


@pytest.mark.parametrize(
    "other",
    [
        {"threshold": 100},
        {"dimension": "calls:video"},
        {"period": "2026-12-01"},
        {"user_id": "bob"},
    ],
)
async def test_another_threshold_dimension_period_or_user_is_new(
    alerts: AlertLog, other: dict[str, object]
) -> None:
    await alerts.record(ALERT)

    assert await alerts.record(replace(ALERT, **other)) is True  # type: ignore[arg-type]


async def test_alerts_are_read_for_one_period_oldest_first(alerts: AlertLog) -> None:
    later = replace(ALERT, threshold=100, at=T0 + timedelta(hours=1))
    next_period = replace(ALERT, period="2026-12-01", at=T0 + timedelta(days=12))
    for alert in (ALERT, later, next_period):
        await alerts.record(alert)

    assert await alerts.for_user("ada", "2026-11-01") == (ALERT, later)


async def test_the_default_notifier_logs_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="imagestudio.alerts"):
        await LoggingNotifier().notify(ALERT)

    assert "ada reached 80% of their spend limit" in caplog.text and "$1.60 of $2.00" in caplog.text
