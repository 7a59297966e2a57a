"""The ports of completion webhooks: the outbox written in the money path's transactions, the
store the delivery worker works from, each user's secret seed, and the way out to receivers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from imagestudio.domain.webhook import DeliveryAttempt, WebhookDelivery

DeliveryCursor = tuple[datetime, str]
"""Where a page of deliveries ended: the last one's creation time and id."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryRecord:
    """A delivery with every attempt made at it, oldest first."""

    delivery: WebhookDelivery
    attempts: tuple[DeliveryAttempt, ...]


class UnitOutbox(Protocol):
    async def add(self, delivery: WebhookDelivery) -> None:
        """Write the delivery with the unit's other changes (gone if the unit rolls back); a
        delivery id that exists makes the unit fail at commit."""
        ...


class WebhookDeliveries(Protocol):
    """The outbox as the delivery worker and the routes read it."""

    async def claim(
        self, now: datetime, holder: str, until: datetime, limit: int
    ) -> tuple[WebhookDelivery, ...]:
        """Pending deliveries due by `now` that nobody else holds, each now held by `holder`
        until `until` (a conditional write: of two workers, one gets each delivery)."""
        ...

    async def record(
        self, attempt: DeliveryAttempt, delivery: WebhookDelivery, holder: str
    ) -> bool:
        """Keep `attempt` and the delivery's new state, and let it go; False (nothing kept)
        when `holder` no longer holds it (its hold ran out and another worker took it)."""
        ...

    async def page(
        self, user_id: str, after: DeliveryCursor | None, limit: int
    ) -> tuple[DeliveryRecord, ...]:
        """The user's deliveries, newest first, from after `after`."""
        ...

    async def get(self, delivery_id: str) -> DeliveryRecord | None: ...

    async def retry(self, delivery_id: str, at: datetime) -> WebhookDelivery | None:
        """Make the delivery pending and due at `at` whatever its state; None if unknown."""
        ...

    async def purge(self, before: datetime) -> int:
        """Delete deliveries created before `before`, with their attempts; how many."""
        ...


class SecretSeeds(Protocol):
    """Each user's current secret seed: random bytes the signing secret is derived from."""

    async def seed(self, user_id: str, fresh: bytes, at: datetime) -> bytes:
        """The user's seed; `fresh` becomes it when the user has none yet (first use). Two
        first uses at once agree on one."""
        ...

    async def rotate(self, user_id: str, fresh: bytes, at: datetime) -> None:
        """Replace the user's seed with `fresh`."""
        ...


@dataclass(frozen=True, slots=True)
class Sent:
    """What a receiver answered: its status code, or why nothing came (`error`)."""

    status_code: int | None
    error: str | None = None


class WebhookSender(Protocol):
    async def post(self, url: str, headers: dict[str, str], body: bytes) -> Sent:
        """POST `body` to `url` once, refusing destinations that are not allowed (checked
        after resolving the name, the connection made to the address checked, no redirect
        followed). Never raises for the receiver's or the network's trouble."""
        ...


class DestinationCheck(Protocol):
    """Where webhooks may go: asked when an operation is prepared (so a refused destination
    costs nothing) and again by the sender at each delivery (names may resolve anew)."""

    async def refusal(self, url: str) -> str | None:
        """Why `url` may not receive webhooks (not a URL, its scheme, credentials in it, or an
        address its name resolves to), or None."""
        ...


class AssetLinker(Protocol):
    def link(self, owner: str, asset_id: str) -> str | None:
        """A fresh link to the asset that needs no API key, or None when there is no base URL
        to make one with."""
        ...
