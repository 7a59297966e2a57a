"""How a sandbox behaves: keys, delays, limits, balances, fault rate. Tests shrink the windows."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from imagestudio.adapters.sandbox.faults import FaultRate, shares_by_route

SANDBOX_KEY = "sandbox-key"
"""The key every sandbox accepts unless configured otherwise (the `sandbox` profile uses it)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WaveSpeedLimits:
    """Per-account limits. Defaults are the Silver tier; the contract's Bronze is 10/min, 3."""

    submits_per_window: int = 500
    concurrent_tasks: int = 100
    window_seconds: float = 60.0


@dataclass(frozen=True, slots=True, kw_only=True)
class StabilityLimits:
    """150 requests per 10 s, then a 60 s lock-out (contract §2.6)."""

    requests_per_window: int = 150
    window_seconds: float = 10.0
    lockout_seconds: float = 60.0


@dataclass(frozen=True, slots=True, kw_only=True)
class SandboxConfig:
    api_keys: frozenset[str] = frozenset({SANDBOX_KEY})
    """Bearer keys accepted by both emulators; anything else is a 401."""
    latency_seconds: float = 0.0
    """How long a task runs: WaveSpeed created→completed, a Stability sync reply, an async
    result's time to ready."""
    fail_rate: float = 0.0
    """Share of accepted tasks that fail after acceptance (WaveSpeed `failed`, Stability 500)."""
    random_seed: int = 0
    """Seeds the fail-rate and fault-rate draws, so a run is repeatable."""
    fault_rates: tuple[FaultRate, ...] = ()
    """Shares of each route's requests that meet a fault (`faults.py`), besides scripted ones."""
    slow_seconds: float = 5.0
    """How late a `slow` fault's reply comes."""
    slow_task_seconds: float = 10.0
    """How long a task meeting a `slow-task` fault runs."""
    sync_timeout_seconds: float = 90.0
    """WaveSpeed sync mode gives up after this and answers `processing` with code 5004."""
    base64_data_uri: bool = True
    """WaveSpeed `enable_base64_output`: `data:` URIs (True) or raw base64 (False)."""
    wavespeed: WaveSpeedLimits = field(default_factory=WaveSpeedLimits)
    stability: StabilityLimits = field(default_factory=StabilityLimits)
    wavespeed_balance_usd: Decimal = Decimal("100")
    stability_credits: Decimal = Decimal("10000")
    result_ttl_seconds: float = 24 * 3600.0
    """Stability keeps async results 24 h; after that (or for another key) a 404."""
    moderation_word: str = "forbidden"
    """A prompt containing it is refused (Stability 403 / WaveSpeed failed task)."""
    filter_word: str = "blurry-nsfw"
    """A prompt containing it is billed but filtered (CONTENT_FILTERED / has_nsfw_contents)."""

    def __post_init__(self) -> None:
        shares_by_route(self.fault_rates)  # refuses rates that cannot all be met
