"""What must hold once a crashed operation has been recovered (DESIGN.md, crash ownership),
read through the stores' read ports only. Each check returns the problems it found, in words."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dependency_injector import providers
from returns.result import Failure, Success

from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.domain.asset import Asset, AssetCursor
from imagestudio.domain.asset_query import AssetQuery
from imagestudio.domain.billing_period import CALENDAR_MONTH, period_containing
from imagestudio.domain.errors import IdempotencyConflict, IdempotencyInProgress
from imagestudio.domain.money import usd_to_micros
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.quota import SPEND, calls_dimension
from imagestudio.domain.reservation import ReservationState
from imagestudio.domain.usage_record import Outcome, UsageRecord
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.container import build_container
from support.crash_child import (
    USER,
    ChildConfig,
    Steps,
    count_side_effects,
    request_for,
    settings_for,
)

S = OperationStatus
RECONCILE_AFTER = 5.0
PAST_THE_RECONCILERS_LEASE = timedelta(minutes=1)
"""Longer than the reconciler's own lease on an operation it looked at (30 s)."""
PENDING_ROUNDS, PENDING_PAUSE = 20, 0.25
"""How long the provider may take to finish a task the dead child sent: 5 s of real time."""
MICROS_PER_CREDIT = 10_000
UNSETTLED = frozenset({S.REQUESTED, S.RESERVED, S.SUBMITTED, S.UNKNOWN})


async def problems_in_books(
    studio: ImageStudio, user: str, provider: str, operation_ids: Collection[str], now: datetime
) -> list[str]:
    """Every operation settled with one ledger line; counters = ledger; nothing held; one
    asset (row and bytes) per charged output."""
    container = studio.container
    operations = {id_: await container.operations().get(id_) for id_ in operation_ids}
    lines = await container.ledger().for_user(user)
    problems = [
        f"operation {id_} is left {op.status}"
        for id_, op in operations.items()
        if op is not None and op.status in UNSETTLED
    ]
    problems += await _open_reservations(studio, operations.values())
    problems += _ledger_problems(operations, lines)
    problems += await _counter_problems(studio, user, lines, now)
    problems += await _budget_problems(studio, provider, lines, now)
    problems += await _asset_problems(studio, user, operations, lines)
    return problems


async def _open_reservations(
    studio: ImageStudio, operations: Iterable[ImageOperation | None]
) -> list[str]:
    problems = []
    for op in operations:
        if op is None or op.reservation_id is None:
            continue
        reservation = await studio.container.quota().reservation(op.reservation_id)
        if reservation is not None and reservation.state is ReservationState.HELD:
            problems.append(f"operation {op.id} ({op.status}): its reservation is still held")
    return problems


def _ledger_problems(
    operations: dict[str, ImageOperation | None], lines: tuple[UsageRecord, ...]
) -> list[str]:
    count: dict[str, int] = defaultdict(int)
    for line in lines:
        count[line.operation_id] += 1
    problems = [
        f"operation {id_} ({op.status}) has {count[id_]} ledger lines, not 1"
        for id_, op in operations.items()
        if op is not None and count[id_] != 1
    ]
    problems += [
        f"ledger line for operation {id_}, whose accept never committed ({n} line(s))"
        for id_, n in count.items()
        if operations.get(id_) is None
    ]
    return problems


async def _counter_problems(
    studio: ImageStudio, user: str, lines: tuple[UsageRecord, ...], now: datetime
) -> list[str]:
    quota = studio.container.quota()
    problems: list[str] = []
    for at in {now, *(line.started_at for line in lines)}:
        for key, counter in (await quota.counters(user, at)).items():
            if counter.held:
                problems.append(f"{key.name} {key.period}: {counter.held} still held")
            in_period = [line for line in lines if line.billing_period == key.period]
            if key.name == SPEND:
                expected = sum(line.user_charge for line in in_period)
            elif key.name.startswith("calls:"):
                expected = sum(
                    line.outputs
                    for line in in_period
                    if line.category and calls_dimension(line.category) == key.name
                )
            else:
                continue
            if counter.used != expected:
                problems.append(
                    f"{key.name} {key.period}: used {counter.used}, the ledger says {expected}"
                )
    return problems


async def _budget_problems(
    studio: ImageStudio, provider: str, lines: tuple[UsageRecord, ...], now: datetime
) -> list[str]:
    """The operator's budget at the provider: nothing held, used = the ledger's provider cost."""
    problems = []
    for month in {_month(at) for at in (now, *(line.started_at for line in lines))}:
        budget = await studio.container.quota().operator_counter(provider, month)
        cost = sum(
            line.provider_cost
            for line in lines
            if line.provider == provider and _month(line.started_at) == month
        )
        if budget.held or budget.used != cost:
            problems.append(
                f"operator budget {provider} {month}: used {budget.used}, held {budget.held}; "
                f"the ledger's provider cost is {cost}"
            )
    return problems


def _month(at: datetime) -> str:
    return period_containing(at, CALENDAR_MONTH).key


async def _asset_problems(
    studio: ImageStudio,
    user: str,
    operations: dict[str, ImageOperation | None],
    lines: tuple[UsageRecord, ...],
) -> list[str]:
    rows = await all_assets(studio, user)
    stored = {
        (item.owner, item.asset_id) async for item in studio.container.asset_bytes().inventory()
    }
    by_operation: dict[str, list[Asset]] = defaultdict(list)
    for row in rows:
        by_operation[row.operation_id].append(row)
    charged = {line.operation_id: line for line in lines}
    problems = [
        f"asset {row.id} has a row but no bytes" for row in rows if (user, row.id) not in stored
    ]
    for id_ in set(operations) | set(by_operation):
        line = charged.get(id_)
        paid = line is not None and line.outcome is Outcome.SUCCEEDED and line.user_charge > 0
        expected = line.outputs if paid and line is not None else 0
        found = by_operation.get(id_, [])
        if len(found) != expected:
            outcome = line.outcome if line is not None else "no ledger line"
            problems.append(
                f"operation {id_} ({outcome}): {len(found)} asset rows for {expected} "
                "charged outputs"
            )
        op = operations.get(id_)
        if op is not None and sorted(op.asset_ids) != sorted(row.id for row in found):
            problems.append(
                f"operation {id_} names assets {op.asset_ids}, the library has "
                f"{sorted(row.id for row in found)}"
            )
    return problems


async def all_assets(studio: ImageStudio, user: str) -> list[Asset]:
    library = studio.container.asset_library()
    rows: list[Asset] = []
    after: AssetCursor | None = None
    while page := await library.find(user, AssetQuery(), after=after, limit=200):
        rows += page
        after = AssetCursor.at(page[-1])
    return rows


async def garbage_problems(studio: ImageStudio) -> tuple[list[str], list[str]]:
    """Bytes no row names are `storage gc`'s: reported (notes), and none may be left once gc
    ran with no safety margin (problems)."""
    collect = studio.collect_garbage
    before = await collect.execute(margin=timedelta(0), dry_run=True)
    orphans = ", ".join(orphan.asset_id for orphan in before.orphans)
    notes = [f"bytes without a row before gc: {orphans}"] if orphans else []
    await collect.execute(margin=timedelta(0))
    after = await collect.execute(margin=timedelta(0), dry_run=True)
    return notes, [f"gc left bytes without a row: {orphan.asset_id}" for orphan in after.orphans]


async def recover(
    config: ChildConfig, journal: Path, ran: list[str]
) -> tuple[ImageStudio, FixedClock, list[str], list[str]]:
    """A studio past the child's lease after a sweep and a reconcile, then a reconcile past the
    reconcile delay: the studio (noting the operations it writes), its clock, the steps the
    recovery took (counted like the child's) and notes on what the first pass left open."""
    container = build_container(settings_for(config, reconcile_after_seconds=RECONCILE_AFTER))
    clock = FixedClock(datetime.now(UTC) + timedelta(seconds=config.lease_seconds + 1))
    container.clock.override(providers.Object(clock))
    steps = Steps(str(journal), die_at=0)
    count_side_effects(container, steps)
    studio = await ImageStudio(container).start()
    steps.armed = True
    await studio.sweep.execute()
    await studio.reconcile.execute()
    notes = [f"left {status} by the first sweep + reconcile" for status in await _open(studio, ran)]
    clock.advance(timedelta(seconds=RECONCILE_AFTER))
    for _ in range(PENDING_ROUNDS):  # a task the provider still runs is asked again later
        clock.advance(PAST_THE_RECONCILERS_LEASE)
        if not (await studio.reconcile.execute()).pending:
            break
        await asyncio.sleep(PENDING_PAUSE)
    steps.armed = False
    return studio, clock, steps.seen, notes


async def _open(studio: ImageStudio, operation_ids: Iterable[str]) -> list[str]:
    found = [await studio.container.operations().get(id_) for id_ in operation_ids]
    return [str(op.status) for op in found if op is not None and op.status in UNSETTLED]


async def resolutions(studio: ImageStudio, operation_ids: Iterable[str]) -> list[str]:
    """How each operation ended: its status, ledger outcome and charge."""
    said = []
    for id_ in operation_ids:
        op = await studio.container.operations().get(id_)
        line = await studio.container.ledger().for_operation(id_)
        ledger = "" if line is None else f" ({line.outcome}, charged {line.user_charge})"
        said.append("never accepted" if op is None else f"{op.status}{ledger}")
    return said


async def retry_and_go_on(studio: ImageStudio, config: ChildConfig, ran: list[str]) -> list[str]:
    """The key replays the child's settled outcome or runs afresh; a new operation runs."""
    problems = []
    ledger, operations = studio.container.ledger(), studio.container.operations()
    accepted = [id_ for id_ in ran if await operations.get(id_) is not None]
    if config.idempotency_key is not None:
        before = len(await ledger.for_user(USER))
        again = await studio.generate.execute(request_for(config))
        added = len(await ledger.for_user(USER)) - before
        if isinstance(again, Failure) and isinstance(
            again.failure(), IdempotencyInProgress | IdempotencyConflict
        ):
            problems.append(f"a retry with the key: {again.failure().message}")
        elif accepted and added:
            problems.append(f"a retry with the key ran again ({again}), not a replay")
        elif isinstance(again, Success) and accepted and again.unwrap().operation.id not in ran:
            problems.append(f"a retry with the key replayed {again.unwrap().operation.id}")
        elif not accepted and (isinstance(again, Failure) or added != 1):
            problems.append(f"a retry with a free key: {again}, {added} ledger line(s)")
    new = await studio.generate.execute(request_for(config, "a second lighthouse", keyed=False))
    if isinstance(new, Failure):
        problems.append(f"a new operation is refused: {new.failure()}")
    return problems


def billed(sandbox: RunningSandbox | None, provider: str) -> int:
    """What the sandbox billed us so far at `provider`, in micro-dollars."""
    if sandbox is None:
        return 0
    tasks = sandbox.state.book.billed(provider)
    if provider == "stability":
        return sum(int(task.amount * MICROS_PER_CREDIT) for task in tasks)
    return sum(usd_to_micros(task.amount) for task in tasks)
