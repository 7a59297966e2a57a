"""One variant of the soak: a sandbox, N servers on one database, the load with its kills and
its usage sampler, then recovery, then the books read and checked."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from bench_support import progress
from soak_books import (
    Books,
    Check,
    counters_match_ledger,
    double_charges,
    failed_cost_nothing,
    lost_charges,
    nothing_held,
    nothing_unsettled,
    one_asset_per_output,
    one_line_per_operation,
    within_limits_at_the_end,
    within_request_rate,
)
from soak_cluster import (
    ADMIN_KEY,
    SandboxProcess,
    ServerProcess,
    Timing,
    server_environment,
    upgrade_schema,
)
from soak_load import Load, Records, Servers
from soak_provider_audit import AuditRun, run_provider_audit
from soak_provider_book import BookComparison, compare
from soak_requests import PLANS, Limits, Mix, set_up
from soak_watch import Killer, UsageWatch
from sqlalchemy import func, select

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.engine import create_engine, reading


@dataclass(frozen=True, slots=True, kw_only=True)
class Size:
    operations: int
    kills: int
    kill_every: float
    users: int
    clients: int
    fault_rate: float
    moderation_rate: float
    filter_rate: float
    recovery_seconds: float
    seed: int


@dataclass(slots=True)
class VariantResult:
    name: str
    servers: int
    records: Records
    tally: dict[str, Any]
    kills: int
    restarts: list[float]
    watch: UsageWatch
    recovered_in: float | None
    checks: list[Check]
    book: BookComparison
    audit: AuditRun
    moderated_prompts: int
    filtered_prompts: int
    moderation_refusals: int
    """Operations the provider refused for their prompt (`failed (moderation)`)."""
    filtered_outputs: int
    """Operations billed whose outputs the provider withheld (ledger outcome `filtered`)."""
    load_seconds: float
    accepted_operations: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(check.broken == 0 for check in self.checks) and not (
            self.records.unexpected
            or self.records.idempotency
            or self.records.locations_disagree
            or self.watch.over
        )


async def run_variant(
    name: str, database_url: str, servers: int, size: Size, timing: Timing, folder: Path
) -> VariantResult:
    await asyncio.to_thread(folder.mkdir, parents=True)
    sandbox = SandboxProcess(folder, timing, size.fault_rate, size.seed)
    environment = server_environment(folder, database_url, sandbox.url, timing)
    processes: list[ServerProcess] = []
    try:
        await upgrade_schema(database_url)
        processes = [ServerProcess(f"{name}-{n}", folder, environment) for n in range(servers)]
        await asyncio.gather(
            asyncio.to_thread(sandbox.wait_until_up),
            *(asyncio.to_thread(server.start) for server in processes),
        )
        progress(f"{name}: sandbox and {servers} server(s) up")
        return await _soak(name, database_url, processes, sandbox, size, timing, environment)
    finally:
        await asyncio.gather(*(asyncio.to_thread(server.stop) for server in processes))
        sandbox.stop()


async def _soak(
    name: str,
    database_url: str,
    processes: list[ServerProcess],
    sandbox: SandboxProcess,
    size: Size,
    timing: Timing,
    environment: dict[str, str],
) -> VariantResult:
    async with httpx.AsyncClient(timeout=60) as http:
        users = await set_up(http, processes[0].url, ADMIN_KEY, size.users)
    limits = {user.id: Limits.of(PLANS[user.plan]) for user in users}
    watch = UsageWatch(database_url, limits)
    killer = Killer(processes, size.kill_every, size.kills, size.seed)
    mix = Mix(size.seed, size.moderation_rate, size.filter_rate)
    records = Records()
    servers = Servers([server.url for server in processes], lambda n: processes[n].up)
    poll_limit = timing.deadline + timing.slow_task + 10
    load = Load(users, servers, mix, records, poll_limit=poll_limit)
    stop_watch, stop_kills = asyncio.Event(), asyncio.Event()
    watching = asyncio.create_task(watch.run(stop_watch))
    killing = asyncio.create_task(killer.run(stop_kills))
    started = time.monotonic()
    progress(f"{name}: load of {size.operations} operations, {size.kills} kills")
    await load.run(size.operations, size.clients, keep_going=lambda: not killing.done())
    load_seconds = time.monotonic() - started
    stop_kills.set()
    await killing
    progress(f"{name}: load done in {load_seconds:.0f} s; recovering")
    recovered_in = await _recovery(database_url, size.recovery_seconds)
    stop_watch.set()
    await watching
    await asyncio.gather(*(asyncio.to_thread(server.stop) for server in processes))
    progress(f"{name}: reading the books")
    books = await Books.read(database_url)
    assets_dir = Path(environment["IMAGESTUDIO_DATA_DIR"]) / "sandbox" / "assets"
    checks = [
        nothing_held(books),
        counters_match_ledger(books),
        one_line_per_operation(books),
        double_charges(books),
        failed_cost_nothing(books),
        lost_charges(books),
        one_asset_per_output(books, assets_dir),
        nothing_unsettled(books),
        within_limits_at_the_end(books, limits),
        within_request_rate(books, limits),
    ]
    book = compare(books, sandbox.billed())
    checks.append(book.differences)
    audit = await asyncio.to_thread(run_provider_audit, environment)
    checks.append(audit.check)
    return VariantResult(
        name=name,
        servers=len(processes),
        records=records,
        tally=sandbox.tally(),
        kills=killer.kills,
        restarts=killer.restart_seconds,
        watch=watch,
        recovered_in=recovered_in,
        checks=checks,
        book=book,
        audit=audit,
        moderated_prompts=mix.moderated,
        filtered_prompts=mix.filtered,
        moderation_refusals=sum(
            "(moderation)" in (operation["error"] or "") for operation in books.operations.values()
        ),
        filtered_outputs=sum(line["outcome"] == "filtered" for line in books.lines),
        load_seconds=load_seconds,
        accepted_operations=len(books.operations),
    )


async def _recovery(database_url: str, within: float) -> float | None:
    """Seconds until nothing is unsettled or held and no idempotency key is left running any
    more; None if not within `within`. A key whose fallback never came (killed between the
    failure and the follow-up's accept) is ended by the sweep only past the follow-up grace."""
    engine = reading(create_engine(database_url))
    started = time.monotonic()
    o, c, k = t.operations.c, t.quota_counters.c, t.idempotency_keys.c
    unsettled = select(func.count()).where(
        o.status.in_(("requested", "reserved", "submitted", "unknown"))
    )
    held = select(func.coalesce(func.sum(c.held), 0))
    running = select(func.count()).where(k.outcome.is_(None))
    try:
        while time.monotonic() - started < within:
            async with engine.connect() as db:
                if not any([await db.scalar(query) for query in (unsettled, held, running)]):
                    return time.monotonic() - started
            await asyncio.sleep(0.5)
        return None
    finally:
        await engine.dispose()
