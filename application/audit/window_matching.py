"""Matching calls that never got a task id with billed tasks by route, amount and time.

A line's window is its start to its end, widened by the slack; a task fits it when its route is
the line's and its amount fits what the line still has room for. Under load many lines of one
route and price overlap, so who gets which task matters: taking the task nearest each line in
turn can leave a line with nothing while a task that fits it went to another line that had a
free one of its own. So:

1. What lines must have been billed for (a confirmed cost naming no task: a synchronous reply)
   is assigned first, then what they only may have cost (a call never confirmed) takes the rest:
   a possible cost the provider never billed cannot take the bill of a confirmed one.
2. Each round goes through the lines by the end of their window, giving each the earliest-billed
   free task in it that fits (one filling its room exactly first): interval scheduling's greedy,
   which matches as many lines as any assignment could when amounts are alike.
3. A task still free is then placed along an augmenting path (a line with room in its window, or
   one that can hand a task of its own to another line): a line matched stays matched, and once
   no path is left from any free task, no assignment matches more tasks.
"""

from __future__ import annotations

import bisect
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from imagestudio.application.ports.provider_book import BilledTask
from imagestudio.domain.money import Micros
from imagestudio.domain.usage_record import UsageRecord


@dataclass(slots=True, eq=False)
class Claim:
    """The tasks matched with one line so far."""

    line: UsageRecord
    route: str | None
    by_id: list[BilledTask] = field(default_factory=list)
    by_window: list[BilledTask] = field(default_factory=list)

    @property
    def billed(self) -> Micros:
        return sum(task.amount for task in (*self.by_id, *self.by_window))

    @property
    def window_room(self) -> Micros:
        """What calls without an id may still account for."""
        line = self.line
        cap = line.unconfirmed_cost if line.provider_task_ids else line.provider_cost
        left = cap - sum(task.amount for task in self.by_window)
        return max(0, min(left, line.provider_cost - self.billed))

    @property
    def owed_room(self) -> Micros:
        """What calls without an id must have been billed for: the confirmed cost of a line
        naming no task (a line naming tasks owes its confirmed part through them)."""
        line = self.line
        if line.provider_task_ids:
            return 0
        owed = line.provider_cost - line.unconfirmed_cost
        return max(0, min(owed - sum(task.amount for task in self.by_window), self.window_room))

    def window(self, slack: timedelta) -> tuple[datetime, datetime]:
        return self.line.started_at - slack, self.line.finished_at + slack

    def in_window(self, task: BilledTask, slack: timedelta) -> bool:
        start, end = self.window(slack)
        return start <= task.billed_at <= end


def assign_by_window(
    claims: Sequence[Claim], free: dict[str, BilledTask], slack: timedelta
) -> None:
    """Give `claims` tasks from `free` by route, amount and window; what is taken leaves
    `free`."""
    pool = _FreePool(free.values())
    by_end = sorted(
        claims, key=lambda c: (c.line.finished_at, c.line.started_at, c.line.operation_id)
    )
    rounds: tuple[Callable[[Claim], Micros], ...] = (
        lambda claim: claim.owed_room,
        lambda claim: claim.window_room,
    )
    for room in rounds:
        for claim in by_end:
            while (left := room(claim)) > 0:
                task = pool.earliest(claim, left, slack)
                if task is None:
                    break
                pool.take(task)
                claim.by_window.append(task)
    index = _ClaimIndex(claims, slack)
    for task in pool.remaining():
        if _augment(task, index):
            pool.take(task)
    for task_id in pool.taken:
        del free[task_id]


class _FreePool:
    """The free tasks of each route in billing order; taking one skips it from then on."""

    def __init__(self, tasks: Iterable[BilledTask]) -> None:
        self._routes: dict[str, list[BilledTask]] = defaultdict(list)
        for task in sorted(tasks, key=lambda task: (task.billed_at, task.task_id)):
            self._routes[task.route].append(task)
        routes = self._routes.items()
        self._moments = {route: [t.billed_at for t in found] for route, found in routes}
        # _next[route][i]: i itself while task i is free, else a later index (path-compressed).
        self._next = {route: list(range(len(found) + 1)) for route, found in routes}
        self._where = {
            task.task_id: (route, i)
            for route, found in self._routes.items()
            for i, task in enumerate(found)
        }
        self.taken: set[str] = set()

    def earliest(self, claim: Claim, room: Micros, slack: timedelta) -> BilledTask | None:
        """The earliest-billed free task in the claim's window filling its room exactly, else
        the earliest that fits in it."""
        start, end = claim.window(slack)
        best: BilledTask | None = None
        for route in [claim.route] if claim.route is not None else list(self._routes):
            found = self._routes.get(route)
            if not found:
                continue
            i = self._free_from(route, bisect.bisect_left(self._moments[route], start))
            while i < len(found) and found[i].billed_at <= end:
                task = found[i]
                if task.amount <= room and (best is None or _rank(task, room) < _rank(best, room)):
                    best = task
                if task.amount == room:
                    break  # the earliest exact fit of this route
                i = self._free_from(route, i + 1)
        return best

    def take(self, task: BilledTask) -> None:
        route, i = self._where[task.task_id]
        self._next[route][i] = i + 1
        self.taken.add(task.task_id)

    def remaining(self) -> list[BilledTask]:
        free = [t for found in self._routes.values() for t in found if t.task_id not in self.taken]
        return sorted(free, key=lambda task: (task.billed_at, task.task_id))

    def _free_from(self, route: str, i: int) -> int:
        following = self._next[route]
        root = i
        while following[root] != root:
            root = following[root]
        while following[i] != root:
            following[i], i = root, following[i]
        return root


def _rank(task: BilledTask, room: Micros) -> tuple[bool, datetime]:
    """A task filling the room exactly first (one route may bill several prices: Stability's
    sd3 models share an endpoint), then the earliest billed."""
    return task.amount != room, task.billed_at


class _ClaimIndex:
    """The claims whose window holds a moment, by route (a line of an unknown model may take a
    task of any route). A claim once visited is skipped until `reopen`: a search visits each
    line once, however many of its tasks' windows hold it."""

    def __init__(self, claims: Sequence[Claim], slack: timedelta) -> None:
        self.slack = slack
        grouped: dict[str | None, list[Claim]] = defaultdict(list)
        for claim in sorted(claims, key=lambda c: (c.line.started_at, c.line.operation_id)):
            grouped[claim.route].append(claim)
        self._claims = dict(grouped)
        self._starts = {
            route: [c.window(slack)[0] for c in found] for route, found in grouped.items()
        }
        self._longest = {
            route: max(c.line.finished_at - c.line.started_at for c in found)
            for route, found in grouped.items()
        }
        self._skip: dict[str | None, dict[int, int]] = defaultdict(dict)

    def reopen(self) -> None:
        self._skip.clear()

    def visit_around(self, task: BilledTask) -> list[Claim]:
        """The claims not visited yet whose window holds the task, now visited."""
        found: list[Claim] = []
        for route in (task.route, None):
            claims, starts = self._claims.get(route, []), self._starts.get(route, [])
            low = task.billed_at - self._longest.get(route, timedelta(0)) - 2 * self.slack
            last = bisect.bisect_right(starts, task.billed_at)
            skip = self._skip[route]
            i = _unskipped(skip, bisect.bisect_left(starts, low))
            while i < last:
                if claims[i].in_window(task, self.slack):
                    found.append(claims[i])
                    skip[i] = i + 1
                i = _unskipped(skip, i + 1)
        return found


def _unskipped(skip: dict[int, int], i: int) -> int:
    root = i
    while root in skip:
        root = skip[root]
    while i != root:
        skip[i], i = root, skip[i]
    return root


def _augment(task: BilledTask, index: _ClaimIndex) -> bool:
    """Place a free task along an augmenting path (breadth first): into a line with room for
    it, or into one whose own window-matched task moves on to another line, and so on. Lines
    a failed search visited stay skipped until one succeeds: while nothing moved, no path
    through them can end at a line with room either."""
    displaced_by: dict[str, tuple[BilledTask, Claim] | None] = {task.task_id: None}
    queue = deque([task])
    while queue:
        moving = queue.popleft()
        for claim in index.visit_around(moving):
            room = claim.window_room
            if moving.amount <= room:
                claim.by_window.append(moving)
                _shift_back(moving, displaced_by)
                index.reopen()
                return True
            for held in claim.by_window:
                fits = moving.amount <= room + held.amount
                if fits and held.task_id not in displaced_by:
                    displaced_by[held.task_id] = (moving, claim)
                    queue.append(held)
    return False


def _shift_back(
    placed: BilledTask, displaced_by: dict[str, tuple[BilledTask, Claim] | None]
) -> None:
    """Along the path just found: each moved task's old line takes the task that displaced it."""
    step = displaced_by[placed.task_id]
    while step is not None:
        newcomer, claim = step
        claim.by_window.remove(placed)
        claim.by_window.append(newcomer)
        placed, step = newcomer, displaced_by[newcomer.task_id]
