"""The notifier port: who is told when a user nears or reaches a limit."""

from __future__ import annotations

from typing import Protocol

from imagestudio.domain.quota_alert import QuotaAlert


class Notifier(Protocol):
    async def notify(self, alert: QuotaAlert) -> None:
        """Tell someone (the operator, the user) that a limit is being reached; told once per
        alert. A notifier that fails is logged, never allowed to fail the operation."""
        ...
