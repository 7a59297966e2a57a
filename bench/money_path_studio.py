"""What the money-path scenarios share: the plans, a studio set up through the public API, one
`generate` and how it ended, the sandbox and the bare loop (from providers_sandbox.py and
providers_clients.py), and a fresh process per measurement."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from providers_clients import Bare
from providers_sandbox import Sandbox
from returns.result import Failure

from imagestudio.adapters.sandbox.config import SANDBOX_KEY
from imagestudio.domain.errors import OutcomeUnknown
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import Plan
from imagestudio.entrypoints.api import GenerateRequest, ImageStudio, OperationResult

__all__ = ["Bare", "Sandbox"]

T = TypeVar("T")

FINITE = Plan(
    name="bench-finite",
    calls={category: Limit.of(10**9) for category in QuotaCategory},
    spend_cap=Limit.of(10**15),
    concurrent_operations=Limit.of(5_000),
    requests_per_minute=Limit.of(1_000_000),
)
"""Every limit finite, none reached: every check of the money path runs."""
NO_RATE = Plan(
    name="bench-no-rate",
    calls={category: Limit.of(10**12) for category in QuotaCategory},
    spend_cap=Limit.of(10**15),
    concurrent_operations=Limit.of(10**6),
)
"""For the store's throughput: a finite per-minute rate would make each reservation read the
user's grants of the last minute (tens of thousands of rows for one hot user at these rates)."""
USER = "bench-user"
OFFLINE_MODEL = "offline/text-to-image"
WAVESPEED_MODEL = "wavespeed/flux-dev"
SIZE = 256
OFFLINE_PRICE = Decimal("0.02")  # the offline models are free by default; a price moves spend


def sandbox_settings(base_url: str, poll_seconds: float) -> dict[str, Any]:
    """The real WaveSpeed adapter against the sandbox at `base_url`, no account limit in the way."""
    return {
        "wavespeed_api_key": SANDBOX_KEY,
        "wavespeed_base_url": base_url,
        "wavespeed_poll_seconds": poll_seconds,
        "wavespeed_concurrent_tasks": 5_000,
        "wavespeed_submits_per_minute": 1_000_000,  # the most the setting takes
        "provider_deadline_seconds": 600,
    }


async def open_studio(
    plan: Plan = FINITE, users: tuple[str, ...] = (USER,), **settings: Any
) -> ImageStudio:
    """A started studio whose `users` are on `plan`, set up as an application would."""
    studio = await ImageStudio.connect(**settings)
    (await studio.define_plan.execute(plan)).unwrap()
    for user in users:
        await studio.assign_plan(user, plan.name)
    return studio


async def generate(studio: ImageStudio, index: int, model_id: str) -> tuple[str, int]:
    """One output, no idempotency key: ("succeeded" | "unknown" | why it failed, bytes stored).
    "unknown" is the operation left for reconciliation, whether `generate` answered a failure
    (`OutcomeUnknown`) or a result whose status is `unknown`."""
    try:
        result = await studio.generate.execute(
            GenerateRequest(
                user_id=USER,
                prompt=f"a lighthouse at dusk, benchmark {index}",
                model_id=model_id,
                width=SIZE,
                height=SIZE,
            )
        )
    except Exception as error:  # counted and shown, never silently measured
        return f"raised {type(error).__name__}: {error}"[:100], 0
    if isinstance(result, Failure):
        failure = result.failure()
        if isinstance(failure, OutcomeUnknown):  # the submit may have gone out: reconciled later
            return "unknown", 0
        # Its message, not its repr: the repr's first 100 characters ended before the reason.
        return f"{type(failure).__name__}: {getattr(failure, 'message', failure)}"[:200], 0
    return _ending(result.unwrap())


def _ending(done: OperationResult) -> tuple[str, int]:
    status = done.operation.status
    if status is OperationStatus.SUCCEEDED and len(done.assets) == 1:
        return "succeeded", done.assets[0].size_bytes
    if status is OperationStatus.UNKNOWN:
        return "unknown", 0
    return f"{status.value}: {'; '.join(done.failed_outputs)}"[:100], 0


def upgrade_schema(database_url: str, data_dir: Path) -> None:
    """`imagestudio db upgrade`, as an operator runs it before the first start."""
    environment = {
        **os.environ,
        "IMAGESTUDIO_DATABASE_URL": database_url,
        "IMAGESTUDIO_DATA_DIR": str(data_dir),
    }
    subprocess.run(
        [sys.executable, "-m", "imagestudio.entrypoints.cli.main", "db", "upgrade"],
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def in_child(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` in a fresh (spawned) process: its hooks, threads and peak RSS are its
    own, and the measuring process starts from the same state every time."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(function, *args).result()
