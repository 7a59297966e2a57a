"""Our ledger against the sandbox's own book of every task it billed (`GET /_sandbox/billed`).

By task id where our operations know it (`provider_task_ids`): what the provider billed for an
operation's tasks must not exceed the provider cost its ledger line records. What remains on
either side — tasks whose id we never learned (a submit whose reply was lost, or Stability's
sync calls, which answer with no task id), and recorded costs no known task explains — is
matched by provider and amount, one task for one line. Then a difference is a billed task that
no line accounts for, or a charge with no billed task behind it (the issue's two kinds); a cost
recorded as possible (`unknown_unresolved`) that the provider never billed is no difference,
only counted (a submit cut before the provider read it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from soak_books import Books, Check

from imagestudio.domain.money import usd_to_micros

MICROS_PER_CREDIT = 10_000
"""IMAGESTUDIO_MICROS_PER_CREDIT as the soak's servers run (the default)."""


def billed_micros(task: dict[str, Any]) -> int:
    amount = Decimal(task["amount"])
    if task["provider"] == "stability":
        return int(amount * MICROS_PER_CREDIT)
    return usd_to_micros(str(amount))


@dataclass(slots=True)
class BookComparison:
    billed_tasks: int = 0
    billed_micros: int = 0
    by_task_id: int = 0
    by_amount: int = 0
    possible_costs_not_billed: int = 0
    differences: Check = field(
        default_factory=lambda: Check("the provider's book agrees with our ledger")
    )


@dataclass(frozen=True, slots=True)
class _Residue:
    operation_id: str
    provider: str
    micros: int
    must_be_billed: bool
    """A charge with no known task behind it: only a billed task may explain it."""


def compare(books: Books, billed: list[dict[str, Any]]) -> BookComparison:
    result = BookComparison(
        billed_tasks=len(billed), billed_micros=sum(billed_micros(task) for task in billed)
    )
    by_id = {(task["provider"], task["task_id"]): task for task in billed}
    explained: set[tuple[str, str]] = set()
    residues: list[_Residue] = []
    for operation_id, line in books.line_of().items():
        operation = books.operations.get(operation_id)
        task_ids = operation["task_ids"] if operation is not None else []
        known = [(line["provider"], task_id) for task_id in task_ids]
        found = [by_id[key] for key in known if key in by_id]
        explained.update(key for key in known if key in by_id)
        result.by_task_id += len(found)
        billed_for_it = sum(billed_micros(task) for task in found)
        left = line["provider_cost"] - billed_for_it
        if left < 0:
            result.differences.add(
                f"{operation_id}: the provider billed {billed_for_it} µ$ for its tasks "
                f"{task_ids}, our ledger records {line['provider_cost']} µ$"
            )
        elif left > 0:
            charged_blind = line["user_charge"] > 0 and not found
            residues.append(_Residue(operation_id, line["provider"], left, charged_blind))
    pool: Counter[tuple[str, int]] = Counter(
        (task["provider"], billed_micros(task))
        for task in billed
        if (task["provider"], task["task_id"]) not in explained
    )
    # Charges first: each needs a billed task; possible costs take what is left.
    for residue in sorted(residues, key=lambda r: not r.must_be_billed):
        slot = (residue.provider, residue.micros)
        if pool[slot] > 0:
            pool[slot] -= 1
            result.by_amount += 1
        elif residue.must_be_billed:
            result.differences.add(
                f"{residue.operation_id}: charged, recorded a {residue.micros} µ$ cost at "
                f"{residue.provider}, and no billed task is behind it"
            )
        else:
            result.possible_costs_not_billed += 1
    for (provider, micros), count in sorted(pool.items()):
        for _ in range(count):
            result.differences.add(
                f"a {micros} µ$ task billed by {provider} is in none of our ledger lines"
            )
    return result
