"""Matching our ledger with a provider's book of billed tasks, task by task (a pure function).

1. By task id: a line names the provider's task id of each call that got one.
2. By model, price and time: a line's calls that never got an id (a synchronous reply, a
   submit never confirmed) match billed tasks of the same route whose amount fits in what the
   line still has room for and that were billed between the line's start and end (± slack);
   confirmed costs first, and as many as any assignment could match (`window_matching`).
3. A task still unmatched is paired with a line of its route and time that matched nothing:
   an amount mismatch rather than two unrelated differences.

Then each line finished in the span is judged by what was matched with it, and each task
billed in the span that nothing claimed is a difference of its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from imagestudio.application.audit.report import Difference, Unbilled
from imagestudio.application.audit.window_matching import Claim, assign_by_window
from imagestudio.application.audit.wording import (
    amount_mismatch,
    billed_not_recorded,
    billed_unsettled,
    recorded_not_billed,
)
from imagestudio.application.ports.provider_book import BilledTask
from imagestudio.domain.usage_record import UsageRecord


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    since: datetime
    until: datetime
    slack: timedelta
    """How far apart our clock and the provider's may be, and a call from its billing."""

    def holds(self, moment: datetime) -> bool:
        return self.since <= moment < self.until


@dataclass(frozen=True, slots=True, kw_only=True)
class Unsettled:
    """An operation of this provider not settled yet: its billed tasks are not differences
    yet, but wait for reconciliation."""

    operation_id: str
    status: str
    route: str | None
    task_ids: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskMatching:
    matched_by_id: int
    matched_by_window: int
    differences: tuple[Difference, ...]
    unbilled: tuple[Unbilled, ...]


def match_tasks(
    lines: Sequence[UsageRecord],
    tasks: Sequence[BilledTask],
    *,
    routes: Mapping[str, str | None],
    span: Span,
    unsettled: Sequence[Unsettled] = (),
) -> TaskMatching:
    """Match `lines` (one provider's, fetched a little beyond the span) with `tasks` (billed
    by it, likewise); judge the lines finished and the tasks billed within `span`.
    `routes` gives each model id's route as the provider's book names it."""
    claims = [Claim(line, routes.get(line.model_id)) for line in lines if line.kind is not None]
    free = _by_id(claims, tasks)
    assign_by_window(claims, free, span.slack)
    _pair_leftovers(claims, free, span.slack)
    differences: list[Difference] = []
    unbilled: list[Unbilled] = []
    for claim in claims:
        if span.holds(claim.line.finished_at):
            _judge(claim, differences, unbilled)
    differences.extend(_unclaimed(free, span, unsettled))
    return TaskMatching(
        matched_by_id=sum(len(claim.by_id) for claim in claims),
        matched_by_window=sum(len(claim.by_window) for claim in claims),
        differences=tuple(differences),
        unbilled=tuple(unbilled),
    )


def _by_id(claims: list[Claim], tasks: Sequence[BilledTask]) -> dict[str, BilledTask]:
    """Match by task id; what is left, by id."""
    free = {task.task_id: task for task in tasks}
    for claim in claims:
        for task_id in claim.line.provider_task_ids:
            task = free.pop(task_id, None)
            if task is not None:
                claim.by_id.append(task)
    return free


def _pair_leftovers(claims: list[Claim], free: dict[str, BilledTask], slack: timedelta) -> None:
    """A task nothing claimed, next to a line of its route that matched nothing though it
    expects a bill: one amount mismatch, not two unrelated differences."""
    waiting = [
        claim
        for claim in claims
        if not claim.by_id and not claim.by_window and claim.window_room > 0
    ]
    for task in sorted(free.values(), key=lambda task: task.billed_at):
        for claim in waiting:
            if claim.route in (task.route, None) and claim.in_window(task, slack):
                del free[task.task_id]
                claim.by_window.append(task)
                waiting.remove(claim)
                break


def _judge(claim: Claim, differences: list[Difference], unbilled: list[Unbilled]) -> None:
    line, billed = claim.line, claim.billed
    confirmed = line.provider_cost - line.unconfirmed_cost
    matched = (*claim.by_id, *claim.by_window)
    if confirmed <= billed <= line.provider_cost:
        if billed < line.provider_cost:
            unbilled.append(
                Unbilled(operation_id=line.operation_id, amount=line.provider_cost - billed)
            )
        return
    if not matched:
        differences.append(recorded_not_billed(line, confirmed))
        return
    differences.append(amount_mismatch(line, matched, billed))


def _unclaimed(
    free: Mapping[str, BilledTask], span: Span, unsettled: Sequence[Unsettled]
) -> list[Difference]:
    by_task = {task_id: op for op in unsettled for task_id in op.task_ids}
    found = []
    for task in sorted(free.values(), key=lambda task: task.billed_at):
        if not span.holds(task.billed_at):
            continue
        owner = by_task.get(task.task_id) or next(
            (
                op
                for op in unsettled
                if not op.task_ids
                and op.route in (task.route, None)
                and op.created_at - span.slack <= task.billed_at
            ),
            None,
        )
        if owner is not None:
            found.append(billed_unsettled(task, owner.operation_id, owner.status))
        else:
            found.append(billed_not_recorded(task))
    return found
