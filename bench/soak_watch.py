"""While the load runs: the quota counters sampled straight from the database (nobody over any
limit at any moment), and the servers SIGKILLed at random moments and restarted."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass, field

from soak_cluster import ServerProcess
from soak_requests import Limits
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.engine import create_engine, reading
from imagestudio.domain.quota import CONCURRENCY, Scope

KEEP = 20
"""How many problems of each kind are kept in words (all are counted)."""


@dataclass(slots=True)
class UsageWatch:
    """Samples every user's counters: calls and spend used + held within the plan's limit,
    concurrency held within it."""

    database_url: str
    limits: dict[str, Limits]
    """Each user's plan limits."""
    samples: int = 0
    over: list[str] = field(default_factory=list)
    users_over: set[str] = field(default_factory=set)
    peak_concurrency: int = 0

    async def run(self, stop: asyncio.Event, every: float = 0.5) -> None:
        engine = reading(create_engine(self.database_url))
        try:
            while not stop.is_set():
                await self.sample(engine)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=every)
            await self.sample(engine)
        finally:
            await engine.dispose()

    async def sample(self, engine: AsyncEngine) -> None:
        c = t.quota_counters.c
        query = select(c.owner, c.name, c.period, c.used, c.held).where(c.scope == Scope.USER.value)
        async with engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        self.samples += 1
        for row in rows:
            limits = self.limits.get(row.owner)
            if limits is None:
                continue  # the default user, on no soak plan
            if row.name == CONCURRENCY:
                self.peak_concurrency = max(self.peak_concurrency, row.held)
                limit = limits.concurrency
            else:
                limit = limits.counters.get(row.name, -1)
                if limit < 0:
                    continue  # a category the plan leaves unlimited
            if row.used + row.held > limit:
                self.users_over.add(row.owner)
                if len(self.over) < KEEP:
                    self.over.append(
                        f"{row.owner} {row.name} {row.period}: used {row.used} + held "
                        f"{row.held} > {limit} (sample {self.samples})"
                    )


@dataclass(slots=True)
class Killer:
    """SIGKILLs a random live server every `every` seconds on average (never the last one up
    while another is still starting, so the load never waits on two restarts at once), then
    restarts it after a short pause, until `stop` or `most` kills."""

    servers: list[ServerProcess]
    every: float
    most: int
    seed: int
    kills: int = 0
    restart_seconds: list[float] = field(default_factory=list)

    async def run(self, stop: asyncio.Event) -> None:
        chance = random.Random(self.seed)
        restarts: set[asyncio.Task[None]] = set()
        while self.kills < self.most and not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.every * chance.uniform(0.5, 1.5))
                break
            except TimeoutError:
                pass
            up = [server for server in self.servers if server.up]
            if not up or (len(self.servers) > 1 and len(up) < len(self.servers)):
                continue
            victim = chance.choice(up)
            victim.kill()
            self.kills += 1
            task = asyncio.create_task(self._restart(victim, chance.uniform(0.2, 1.5)))
            restarts.add(task)
            task.add_done_callback(restarts.discard)
        await asyncio.gather(*restarts)

    async def _restart(self, server: ServerProcess, pause: float) -> None:
        await asyncio.sleep(pause)
        started = time.monotonic()
        await asyncio.to_thread(server.start)
        self.restart_seconds.append(time.monotonic() - started)
