"""The loops a long-running process (a server, a worker) runs beside its requests: sweeping dead
operations, reconciling unknown outcomes, deleting assets past retention, delivering webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from imagestudio.application.money_path.settle import Settled
from imagestudio.entrypoints.container import Container

log = logging.getLogger(__name__)


def check_every(every: float | None) -> None:
    """ValueError for a sweep interval that is no time at all."""
    if every is not None and not every > 0:  # `not >`: NaN too
        # -1 would sleep no time between rounds, reading the database without a pause.
        raise ValueError(f"sweep every so many seconds, more than 0, not {every}")


class StudioChores:
    """The background work of one studio: `ImageStudio.keep_sweeping` and its kin run it."""

    def __init__(self, container: Container) -> None:
        self._container = container
        self._sweep = container.sweep()
        self._reconcile = container.reconcile()
        self._sweep_storage = container.sweep_storage()
        self._webhooks_due = asyncio.Event()
        container.settle().on_commit(self._owes_webhook)

    async def keep_sweeping(self, every: float | None = None) -> None:
        """As `ImageStudio.keep_sweeping` says."""
        check_every(every)
        async with asyncio.TaskGroup() as chores:
            chores.create_task(self.keep_delivering_webhooks(), name="webhooks")
            await self._keep_sweeping(every)

    async def keep_delivering_webhooks(self) -> None:
        """As `ImageStudio.keep_delivering_webhooks` says."""
        settings = self._container.settings()
        worker = self._container.deliver_webhooks()
        loop = asyncio.get_running_loop()
        purge_due = loop.time()
        while True:
            try:
                done = await worker.execute()
                if loop.time() >= purge_due:
                    purge_due = loop.time() + 3600
                    await worker.purge()
            except Exception:  # a database hiccup must not end the loop
                log.exception("delivering webhooks failed; the next round retries")
                done = None
            if done is not None and done.claimed >= worker.batch:
                continue  # more may be due right now
            self._webhooks_due.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._webhooks_due.wait(), settings.webhook_poll_seconds)

    async def wake_webhooks(self) -> None:
        self._webhooks_due.set()

    def _owes_webhook(self, settled: Settled) -> None:
        if settled.operation is not None and settled.operation.webhook is not None:
            self._webhooks_due.set()

    async def _keep_sweeping(self, every: float | None) -> None:
        settings = self._container.settings()
        interval = every or settings.lease_seconds
        loop = asyncio.get_running_loop()
        storage_due = loop.time()
        while True:
            # Every round at once: one round a lease apart would keep, after a crash of a busy
            # process, the rest of its users' holds for minutes.
            chores = (
                ("sweeping", self._sweep.execute_all),
                ("reconciling", self._reconcile.execute),
            )
            for name, chore in chores:
                try:
                    await chore()
                except Exception:  # a database or network hiccup must not end the loop
                    log.exception("%s operations failed; the next round retries", name)
            if loop.time() >= storage_due:
                # Retention is counted in days: once in a while is often enough.
                storage_due = loop.time() + settings.storage_sweep_seconds
                try:
                    await self._sweep_storage.execute()
                except Exception:
                    log.exception("the storage sweep failed; the next round retries")
            await asyncio.sleep(interval)
