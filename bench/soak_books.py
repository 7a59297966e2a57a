"""The books after recovery, read straight from the database: each check says how many things
break it and a few of them in words. `Books.read` takes one snapshot; the checks are pure."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from soak_requests import Limits
from sqlalchemy import select

from imagestudio.adapters.asset_keys import AssetKey
from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.engine import create_engine, reading
from imagestudio.domain.billing_period import CALENDAR_MONTH, period_containing
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.quota import CONCURRENCY, SPEND, Scope

UNSETTLED = frozenset({"requested", "reserved", "submitted", "unknown"})
NOT_CHARGED = frozenset({"failed", "cancelled", "abandoned"})
KEEP = 10
RATE_WINDOW = timedelta(minutes=1)


@dataclass(slots=True)
class Check:
    """One promise of the books: how many things break it, and the first few in words."""

    name: str
    broken: int = 0
    examples: list[str] = field(default_factory=list)
    subjects: set[str] = field(default_factory=set)
    """Whom the broken ones concern, where a check says (the users over a limit)."""

    def add(self, example: str, subject: str | None = None) -> None:
        self.broken += 1
        if subject is not None:
            self.subjects.add(subject)
        if len(self.examples) < KEEP:
            self.examples.append(example)


@dataclass(slots=True)
class Books:
    operations: dict[str, dict[str, Any]]
    lines: list[dict[str, Any]]
    counters: list[dict[str, Any]]
    held_reservations: int
    open_keys: list[dict[str, Any]]
    assets: list[dict[str, Any]]
    grants: list[dict[str, Any]]
    """The request-rate grants still kept (older ones are pruned as they go stale)."""

    @classmethod
    async def read(cls, database_url: str) -> Books:
        engine = reading(create_engine(database_url))
        try:
            async with engine.connect() as db:

                async def rows(query: Any) -> list[dict[str, Any]]:
                    return [dict(row._mapping) for row in (await db.execute(query)).all()]

                o, r, k = t.operations.c, t.reservations.c, t.idempotency_keys.c
                operations = await rows(select(t.operations))
                for operation in operations:
                    operation["task_ids"] = json.loads(operation["body"])["provider_task_ids"]
                held = await rows(select(r.id).where(r.state == "held"))
                return cls(
                    operations={operation["id"]: operation for operation in operations},
                    lines=await rows(select(t.ledger)),
                    counters=await rows(select(t.quota_counters)),
                    held_reservations=len(held),
                    open_keys=await rows(
                        select(k.user_id, k.key, k.operation_id, o.status)
                        .outerjoin(t.operations, o.id == k.operation_id)
                        .where(k.outcome.is_(None))
                    ),
                    assets=await rows(select(t.assets)),
                    grants=await rows(select(t.request_grants)),
                )
        finally:
            await engine.dispose()

    def line_of(self) -> dict[str, dict[str, Any]]:
        return {line["operation_id"]: line for line in self.lines if line["kind"] is not None}


def _category(line: dict[str, Any]) -> str:
    return f"calls:{OperationKind(line['kind']).category.value}"


def _month(at: datetime) -> str:
    return period_containing(at, CALENDAR_MONTH).key


def nothing_held(books: Books) -> Check:
    check = Check("nothing held")
    for row in books.counters:
        if row["held"]:
            check.add(
                f"{row['scope']} {row['owner']} {row['name']} {row['period']}: held {row['held']}"
            )
    for _ in range(books.held_reservations):
        check.add("a reservation still held")
    return check


def counters_match_ledger(books: Books) -> Check:
    """Every user's spend and calls counter, and the operator's budget at each provider, equal
    what the ledger says was used."""
    check = Check("every spend and call counter equals its ledger")
    expected: Counter[tuple[str, str, str, str]] = Counter()
    for line in books.lines:
        if line["kind"] is None:
            continue
        user, period = line["user_id"], line["billing_period"]
        expected["user", user, SPEND, period] += line["user_charge"]
        expected["user", user, _category(line), period] += line["outputs"]
        expected["operator", line["provider"], "budget", _month(line["started_at"])] += line[
            "provider_cost"
        ]
    found: Counter[tuple[str, str, str, str]] = Counter()
    for row in books.counters:
        if row["name"] == CONCURRENCY:
            continue
        name = "budget" if row["scope"] == Scope.OPERATOR.value else row["name"]
        found[row["scope"], row["owner"], name, row["period"]] += row["used"]
    for key in sorted(set(expected) | set(found)):
        if key[0] == "operator" and key[1] not in {row["owner"] for row in books.counters}:
            continue  # no budget is kept for that provider
        if expected[key] != found[key]:
            check.add(f"{' '.join(key)}: counter {found[key]}, ledger {expected[key]}")
    return check


def one_line_per_operation(books: Books) -> Check:
    check = Check("one ledger line per operation")
    count = Counter(line["operation_id"] for line in books.lines if line["kind"] is not None)
    for operation_id, operation in books.operations.items():
        if operation["status"] not in UNSETTLED and count[operation_id] != 1:
            check.add(f"{operation_id} ({operation['status']}): {count[operation_id]} lines")
    for operation_id in count.keys() - books.operations.keys():
        check.add(f"a ledger line for {operation_id}, which is no operation")
    return check


def double_charges(books: Books) -> Check:
    """No operation charged twice, and no idempotency key charged for twice."""
    check = Check("no operation charged twice")
    per_operation = Counter(line["operation_id"] for line in books.lines if line["user_charge"])
    for operation_id, times in per_operation.items():
        if times > 1:
            check.add(f"{operation_id} charged {times} times")
    per_key = Counter(
        (line["user_id"], line["idempotency_key"])
        for line in books.lines
        if line["user_charge"] and line["idempotency_key"]
    )
    for (user, key), times in per_key.items():
        if times > 1:
            check.add(f"key {key} of {user} charged for {times} operations")
    for line in books.lines:
        operation = books.operations.get(line["operation_id"])
        if operation is not None and operation["charged"] != line["user_charge"]:
            check.add(
                f"{line['operation_id']}: the operation says {operation['charged']}, its line "
                f"{line['user_charge']}"
            )
    return check


def failed_cost_nothing(books: Books) -> Check:
    check = Check("every failed operation charged zero")
    lines = books.line_of()
    for operation_id, operation in books.operations.items():
        line = lines.get(operation_id)
        charged = operation["charged"] or (line["user_charge"] if line else 0)
        if operation["status"] in NOT_CHARGED and charged:
            check.add(f"{operation_id} ({operation['status']}) charged {charged}")
    for line in books.lines:
        if line["kind"] is not None and line["outcome"] != "succeeded" and line["user_charge"]:
            check.add(f"{line['operation_id']} ({line['outcome']}) charged {line['user_charge']}")
    return check


def lost_charges(books: Books) -> Check:
    """Nothing delivered for free: an operation with outputs stored, or succeeded, is charged."""
    check = Check("no output delivered uncharged")
    lines = books.line_of()
    with_assets = {asset["operation_id"] for asset in books.assets}
    for operation_id, operation in books.operations.items():
        line = lines.get(operation_id)
        charge = line["user_charge"] if line else 0
        if (operation["status"] == "succeeded" or operation_id in with_assets) and not charge:
            check.add(f"{operation_id} ({operation['status']}) delivered, charged nothing")
    return check


def one_asset_per_output(books: Books, assets_dir: Path) -> Check:
    check = Check("one asset per charged output")
    per_operation: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for asset in books.assets:
        per_operation[asset["operation_id"]].append(asset)
        key = AssetKey(asset["owner"], asset["id"], MediaType(asset["media_type"]))
        if not (assets_dir / key.path).is_file():
            check.add(f"asset {asset['id']} has a row but no bytes")
    lines = books.line_of()
    for operation_id in books.operations.keys() | per_operation.keys():
        line = lines.get(operation_id)
        paid = line is not None and line["outcome"] == "succeeded" and line["user_charge"] > 0
        expected = line["outputs"] if paid and line is not None else 0
        if len(per_operation[operation_id]) != expected:
            check.add(
                f"{operation_id}: {len(per_operation[operation_id])} assets, {expected} charged"
            )
    return check


def nothing_unsettled(books: Books) -> Check:
    check = Check("no operation or idempotency key left unsettled")
    for operation_id, operation in books.operations.items():
        if operation["status"] in UNSETTLED:
            check.add(f"{operation_id} left {operation['status']}")
    for key in books.open_keys:
        check.add(
            f"key {key['key']} of {key['user_id']} in progress (operation "
            f"{key['operation_id']}: {key['status']})"
        )
    return check


def within_request_rate(books: Books, limits: dict[str, Limits]) -> Check:
    """No minute (a window ending at any grant) holds more grants than the plan's rate."""
    check = Check("no user over the requests-per-minute limit (grants kept)")
    granted: dict[str, list[datetime]] = defaultdict(list)
    for grant in books.grants:
        granted[grant["user_id"]].append(grant["at"])
    for user, times in granted.items():
        rate = limits[user].per_minute if user in limits else None
        if rate is None:
            continue
        times.sort()
        for index in range(rate, len(times)):
            if times[index] - times[index - rate] < RATE_WINDOW:
                check.add(f"{user}: {rate + 1} requests granted by {times[index]}", subject=user)
                break
    return check


def within_limits_at_the_end(books: Books, limits: dict[str, Limits]) -> Check:
    """What the ledger says each user used, per period, within the plan's limits."""
    check = Check("no user over any limit (ledger)")
    used: Counter[tuple[str, str, str]] = Counter()
    for line in books.lines:
        if line["kind"] is None:
            continue
        used[line["user_id"], SPEND, line["billing_period"]] += line["user_charge"]
        used[line["user_id"], _category(line), line["billing_period"]] += line["outputs"]
    for (user, name, period), amount in used.items():
        limit = limits[user].counters.get(name) if user in limits else None
        if limit is not None and amount > limit:
            check.add(f"{user} {name} {period}: used {amount} > {limit}", subject=user)
    return check
