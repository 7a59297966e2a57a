"""How the WaveSpeed adapter talks to its account: key, address, time budgets, tier limits."""

from __future__ import annotations

from dataclasses import dataclass, field

BRONZE_SUBMITS_PER_MINUTE = 10
BRONZE_CONCURRENT_TASKS = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class WaveSpeedSettings:
    """One WaveSpeed account. The limits default to the Bronze tier, which every key has."""

    api_key: str = field(repr=False)
    base_url: str = "https://api.wavespeed.ai"
    submit_timeout: float = 120.0
    """Seconds one submit may take; a sync-mode submit waits for the whole run."""
    task_deadline: float = 600.0
    """Seconds from queuing the submit to having every output downloaded."""
    poll_interval: float = 1.0
    poll_interval_max: float = 8.0
    download_timeout: float = 120.0
    sync_mode: bool = False
    concurrent_tasks: int = BRONZE_CONCURRENT_TASKS
    submits_per_minute: int = BRONZE_SUBMITS_PER_MINUTE

    def __post_init__(self) -> None:
        if not self.api_key.strip():
            raise ValueError("WaveSpeed needs an API key")
        for name in ("submit_timeout", "task_deadline", "poll_interval", "download_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"WaveSpeed {name} must be positive")
        if self.poll_interval_max < self.poll_interval:
            raise ValueError("WaveSpeed poll_interval_max must be at least poll_interval")

    @property
    def api_root(self) -> str:
        """Where every v3 route lives, without a trailing slash."""
        return self.base_url.rstrip("/") + "/api/v3"
