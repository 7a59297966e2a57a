"""The leases of the attempts running in this process, renewed together on one timer."""

from __future__ import annotations

import asyncio
import logging

from imagestudio.application.operation_ports import LeasePolicy
from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.operation_leases import OperationLeases

log = logging.getLogger(__name__)


class LeaseKeeper:
    """Renews the lease of every attempt it keeps, every `renew_every` seconds (a third of a
    lease), until the attempt is dropped: so an attempt's lease is renewed at most a period
    after it began, then every period, and never runs out while the attempt runs.

    One timer for all of them, armed while any attempt runs: an attempt only joins and leaves
    a dict. Most attempts end well within a period; a timer each (armed and cancelled per
    attempt) cost more than the rest of an attempt's bookkeeping, and the cancelled timers
    stayed in the event loop's heap, slowing every other timer's. One event loop at a time, as
    the rest of a studio: a new loop (the CLI runs one per command) starts afresh.
    """

    def __init__(self, leases: OperationLeases, clock: Clock, policy: LeasePolicy) -> None:
        self._leases = leases
        self._clock = clock
        self._policy = policy
        self._running: dict[str, None] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._renewals: set[asyncio.Task[None]] = set()  # referenced until done

    def keep(self, operation_id: str) -> None:
        """Renew `operation_id`'s lease (taken just now) until it is dropped."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new loop: the last one's timer never fires
            self._loop, self._timer = loop, None
            self._running.clear()
        self._running[operation_id] = None
        if self._timer is None:
            self._timer = loop.call_later(self._policy.renew_every, self._due)

    def drop(self, operation_id: str) -> None:
        """Stop renewing `operation_id`'s lease (its attempt has ended)."""
        self._running.pop(operation_id, None)

    def _due(self) -> None:
        self._timer = None
        if not self._running or self._loop is None:
            return  # armed again by the next attempt to join
        self._timer = self._loop.call_later(self._policy.renew_every, self._due)
        renewal = self._loop.create_task(self._renew(tuple(self._running)))
        self._renewals.add(renewal)
        renewal.add_done_callback(self._renewals.discard)

    async def _renew(self, operation_ids: tuple[str, ...]) -> None:
        until = self._clock.now() + self._policy.ttl
        for operation_id in operation_ids:
            if operation_id not in self._running:
                continue  # ended meanwhile: its lease went with its settlement
            try:
                await self._leases.hold(operation_id, self._policy.holder, until)
            except Exception:  # a busy database: the next period's renewal retries
                log.warning("could not renew the lease of %s", operation_id, exc_info=True)
