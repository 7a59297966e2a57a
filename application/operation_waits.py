"""What an unfinished operation waits for, and until when: the sweeper's and the reconciler's
rules (`sweep.py`, `reconcile.py`) read from the operation and its lease, without acting.

An operation being run renews its lease; if its process dies the lease runs out and the
sweeper takes it (released if not sent, `unknown` if sent). An `unknown` one is looked up by
reconciliation whenever nobody holds it: with a task id, until the provider stops keeping the
task; without one (the provider never confirmed it), it is released once the reconcile delay
has passed. Nothing acts between rounds: a server runs them every lease; otherwise
`imagestudio db sweep` and `imagestudio reconcile` do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from imagestudio.application.ports.operation_store import TrackedOperation
from imagestudio.domain.operation import OperationStatus

DEFAULT_UNRESOLVED_AFTER = timedelta(minutes=30)
DEFAULT_RECHECK_AFTER = timedelta(seconds=30)
DEFAULT_TASK_RETENTION = timedelta(hours=24)
"""How long a provider keeps a task's result (Stability: 24 h; WaveSpeed longer): a task still
pending or unreachable after this is given up on — released, its price kept as a possible
provider cost."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconcileTiming:
    """When reconciliation looks again, and when it gives up."""

    unresolved_after: timedelta = DEFAULT_UNRESOLVED_AFTER
    """A call the provider never confirmed (no task id) is released this long after the
    operation was left unknown."""
    recheck_after: timedelta = DEFAULT_RECHECK_AFTER
    """A reconciler holds an operation it could not settle this long before it looks again."""
    task_retention: timedelta = DEFAULT_TASK_RETENTION


class WaitReason(StrEnum):
    RUNNING = "running"
    """Its process is working on it and renews its lease."""
    SWEEP = "sweep"
    """Its process stopped renewing the lease: the next sweep settles it."""
    PROVIDER_TASK = "provider-task"
    """Outcome unknown, with a task to look up: reconciliation asks the provider."""
    UNCONFIRMED = "unconfirmed"
    """Outcome unknown and the provider never confirmed the call: nothing to look up."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Wait:
    """What an unfinished operation waits for."""

    reason: WaitReason
    next_at: datetime
    """When it is next acted on: at the first round after this moment (when it is past, the
    next round; a server runs one every lease, otherwise the commands do)."""
    until: datetime | None
    """When the waiting ends at the latest (given up on and released); None: it ends when
    its process finishes, or the lease runs out."""
    task_ids: tuple[str, ...] = ()
    """The provider's tasks it waits on."""

    @property
    def detail(self) -> str:
        """The wait in one sentence, for people."""
        at, until = _moment(self.next_at), _moment(self.until)
        if self.reason is WaitReason.RUNNING:
            return f"running: its process holds the lease until {at} and renews it"
        if self.reason is WaitReason.SWEEP:
            return f"its process stopped (lease ran out at {at}); the next sweep settles it"
        if self.reason is WaitReason.PROVIDER_TASK:
            return (
                f"provider task {', '.join(self.task_ids)}: reconcile looks it up after {at}; "
                f"given up (released) at {until}, when the provider's retention ends"
            )
        return (
            "the provider never confirmed the call (no task to look up): reconcile releases "
            f"it after {at}"
        )


def waiting_for(tracked: TrackedOperation, now: datetime, timing: ReconcileTiming) -> Wait | None:
    """What `tracked` waits for at `now`; None once it is final (it waits for nothing)."""
    operation, lease = tracked.operation, tracked.lease_until
    if operation.status.is_final:
        return None
    # Due (at the next round) once nobody holds it: since its lease ran out, or since it
    # was last changed when nobody ever held it. A past moment, kept as it is, reads the same
    # at every look.
    due = lease if lease is not None else operation.updated_at
    if operation.status is not OperationStatus.UNKNOWN:
        if lease is not None and lease > now:
            return Wait(reason=WaitReason.RUNNING, next_at=lease, until=None)
        return Wait(reason=WaitReason.SWEEP, next_at=due, until=None)
    tasks = operation.provider_task_ids
    if tasks:
        return Wait(
            reason=WaitReason.PROVIDER_TASK,
            next_at=due,
            until=operation.updated_at + timing.task_retention,
            task_ids=tasks,
        )
    released_at = operation.updated_at + timing.unresolved_after
    return Wait(reason=WaitReason.UNCONFIRMED, next_at=max(due, released_at), until=released_at)


def _moment(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S %Z")
