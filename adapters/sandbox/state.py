"""What both emulators share: the configuration, faults, books, hosted files and a clock."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from imagestudio.adapters.sandbox.billing import BillingBook
from imagestudio.adapters.sandbox.config import SandboxConfig
from imagestudio.adapters.sandbox.faults import FaultScript
from imagestudio.adapters.sandbox.hosted_files import HostedFiles


@dataclass(slots=True)
class SandboxState:
    config: SandboxConfig
    faults: FaultScript = field(init=False)
    files: HostedFiles = field(default_factory=HostedFiles)
    book: BillingBook = field(init=False)
    clock: Callable[[], float] = time.monotonic
    """Seconds, monotonic: tests may swap it to jump past windows and expiries."""
    _random: random.Random = field(init=False)
    _random_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        config = self.config
        self.faults = FaultScript(
            config.slow_seconds,
            config.fault_rates,
            slow_task_seconds=config.slow_task_seconds,
            seed=config.random_seed,
        )
        self.book = BillingBook(
            {
                "wavespeed": self.config.wavespeed_balance_usd,
                "stability": self.config.stability_credits,
            }
        )
        self._random = random.Random(self.config.random_seed)

    def should_fail(self) -> bool:
        """Draw against `fail_rate`: whether an accepted task fails after acceptance."""
        if self.config.fail_rate <= 0:
            return False
        with self._random_lock:
            return self._random.random() < self.config.fail_rate

    def authorized(self, header: str | None) -> bool:
        """Whether an `Authorization` header carries one of the configured bearer keys."""
        if not header or not header.lower().startswith("bearer "):
            return False
        return header[7:].strip() in self.config.api_keys
