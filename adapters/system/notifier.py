"""The default notifier: a warning in the log."""

from __future__ import annotations

import logging

from imagestudio.domain.quota_alert import QuotaAlert

log = logging.getLogger("imagestudio.alerts")


class LoggingNotifier:
    """The `Notifier` port on the `imagestudio.alerts` logger, at WARNING."""

    async def notify(self, alert: QuotaAlert) -> None:
        log.warning("quota alert: %s", alert.message)
