"""How the Stability adapter reaches its account: key, address, time budgets and limits."""

from __future__ import annotations

from dataclasses import dataclass, field

from imagestudio.adapters.providers.limiter import AccountLimits


@dataclass(frozen=True, slots=True, kw_only=True)
class StabilitySettings:
    api_key: str = field(repr=False)
    """Left out of the repr, so a logged or printed settings object never shows it."""
    base_url: str = "https://api.stability.ai"
    request_timeout: float = 300.0
    """One HTTP request: a synchronous generation can take tens of seconds."""
    task_deadline: float = 600.0
    """One whole call: queueing, the submit and every result poll."""
    poll_interval: float = 10.0
    """Stability may rate-limit polls of one result more often than every 10 s."""
    requests_per_window: int = 150
    window_seconds: float = 10.0
    """Stability counts every request and locks the account out for 60 s past 150 in 10 s."""
    concurrent_tasks: int = 10
    accept_json: bool = False
    """Ask for `application/json` (base64 image) instead of raw `image/*` bytes."""
    client_id: str | None = "imagestudio"
    """Sent as `stability-client-id`; None sends nothing."""

    @property
    def limits(self) -> AccountLimits:
        return AccountLimits(
            concurrent_tasks=self.concurrent_tasks,
            requests_per_window=self.requests_per_window,
            window_seconds=self.window_seconds,
        )
