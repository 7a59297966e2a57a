"""The sandbox's own book of billed tasks (`GET /_sandbox/billed`), read for an audit: the
one "provider" that lists every task it billed, with its id, route, amount and time."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import httpx

from imagestudio.application.ports.provider_book import (
    BilledTask,
    BilledTasks,
    BookReading,
    BookUnreadable,
)
from imagestudio.domain.money import Micros, round_half_up, usd_to_micros

BILLED_PATH = "/_sandbox/billed"
READ_SECONDS = 30.0
_STABILITY_PREFIX = "v2beta/"
"""The sandbox names a Stability endpoint by its path under /v2beta, as the catalog does not."""


class SandboxBook:
    """The `ProviderBook` port for one provider the sandbox plays: WaveSpeed bills in
    dollars, Stability in credits (converted at the catalog's value of a credit)."""

    def __init__(self, base_url: str, provider: str, micros_per_credit: Micros) -> None:
        self.provider = provider
        self._url = base_url.rstrip("/") + BILLED_PATH
        self._micros_per_credit = micros_per_credit

    async def read(self, since: datetime, until: datetime) -> BookReading:
        try:
            async with httpx.AsyncClient(timeout=READ_SECONDS) as client:
                response = await client.get(self._url, params={"provider": self.provider})
        except httpx.HTTPError as trouble:
            return BookUnreadable(
                reason=f"the sandbox at {self._url} is unreachable: {type(trouble).__name__}"
            )
        if response.status_code != httpx.codes.OK:
            return BookUnreadable(reason=f"HTTP {response.status_code} from {self._url}")
        try:
            tasks = tuple(self._task(item) for item in response.json())
        except (ValueError, KeyError, TypeError, InvalidOperation) as bad:
            return BookUnreadable(reason=f"the sandbox's book could not be read: {bad}")
        return BilledTasks(tasks=tuple(t for t in tasks if since <= t.billed_at < until))

    def _task(self, item: dict[str, Any]) -> BilledTask:
        amount = Decimal(str(item["amount"]))
        stability = self.provider == "stability"
        billed_at = datetime.fromisoformat(item["billed_at"])
        if billed_at.tzinfo is None:
            raise ValueError(f"billed_at {item['billed_at']!r} has no timezone")
        return BilledTask(
            task_id=str(item["task_id"]),
            route=(_STABILITY_PREFIX if stability else "") + str(item["route"]),
            amount=self._credits(amount) if stability else usd_to_micros(amount),
            billed_at=billed_at,
            filtered=bool(item.get("filtered", False)),
        )

    def _credits(self, credits: Decimal) -> Micros:
        return round_half_up(Fraction(credits) * self._micros_per_credit)
