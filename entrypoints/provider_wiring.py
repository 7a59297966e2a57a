"""Which providers a profile enables, built from settings: keys, base URLs, account limits.

A real provider is enabled when its key is set (or, in the `sandbox` profile, always: both then
talk to the local sandbox with its key, so a real key is never sent to it). The offline
provider is on in the local, offline and test profiles unless settings say otherwise.
"""

from __future__ import annotations

import httpx

from imagestudio.adapters.offline_provider.provider import OfflineProvider
from imagestudio.adapters.provider_directory import StaticProviderDirectory
from imagestudio.adapters.sandbox.config import SANDBOX_KEY
from imagestudio.adapters.stability.client import new_client as new_stability_client
from imagestudio.adapters.stability.provider import StabilityProvider
from imagestudio.adapters.stability.settings import StabilitySettings
from imagestudio.adapters.wavespeed.client import new_client as new_wavespeed_client
from imagestudio.adapters.wavespeed.provider import WaveSpeedProvider
from imagestudio.adapters.wavespeed.settings import WaveSpeedSettings
from imagestudio.application.ports.provider import ImageProvider
from imagestudio.entrypoints.settings import Profile, Settings

SANDBOX_POLL_SECONDS = 0.2
"""The sandbox answers at once: poll it briskly (the real services want slower polling)."""


def wavespeed_settings(settings: Settings) -> WaveSpeedSettings | None:
    sandbox = settings.profile is Profile.SANDBOX
    key = SANDBOX_KEY if sandbox else _secret(settings.wavespeed_api_key)
    if key is None:
        return None
    return WaveSpeedSettings(
        api_key=key,
        base_url=settings.sandbox_url if sandbox else settings.wavespeed_base_url,
        task_deadline=settings.provider_deadline_seconds,
        poll_interval=SANDBOX_POLL_SECONDS if sandbox else settings.wavespeed_poll_seconds,
        poll_interval_max=max(8.0, settings.wavespeed_poll_seconds),
        sync_mode=settings.wavespeed_sync_mode,
        concurrent_tasks=settings.wavespeed_concurrent_tasks,
        submits_per_minute=settings.wavespeed_submits_per_minute,
    )


def stability_settings(settings: Settings) -> StabilitySettings | None:
    sandbox = settings.profile is Profile.SANDBOX
    key = SANDBOX_KEY if sandbox else _secret(settings.stability_api_key)
    if key is None:
        return None
    return StabilitySettings(
        api_key=key,
        base_url=settings.sandbox_url if sandbox else settings.stability_base_url,
        task_deadline=settings.provider_deadline_seconds,
        poll_interval=SANDBOX_POLL_SECONDS if sandbox else settings.stability_poll_seconds,
        requests_per_window=settings.stability_requests_per_10s,
        concurrent_tasks=settings.stability_concurrent_tasks,
    )


def wavespeed_client(settings: Settings) -> httpx.AsyncClient | None:
    configured = wavespeed_settings(settings)
    return None if configured is None else new_wavespeed_client(configured)


def stability_client(settings: Settings) -> httpx.AsyncClient | None:
    configured = stability_settings(settings)
    return None if configured is None else new_stability_client(configured)


def build_directory(
    settings: Settings,
    offline: OfflineProvider,
    wavespeed_http: httpx.AsyncClient | None,
    stability_http: httpx.AsyncClient | None,
) -> StaticProviderDirectory:
    enabled: list[ImageProvider] = []
    disabled: dict[str, str] = {}
    ws = wavespeed_settings(settings)
    if ws is not None and wavespeed_http is not None:
        enabled.append(WaveSpeedProvider(ws, wavespeed_http))
    else:
        disabled["wavespeed"] = (
            "no API key: set IMAGESTUDIO_WAVESPEED_API_KEY (or WAVESPEED_API_KEY)"
        )
    st = stability_settings(settings)
    if st is not None and stability_http is not None:
        enabled.append(StabilityProvider(st, stability_http))
    else:
        disabled["stability"] = (
            "no API key: set IMAGESTUDIO_STABILITY_API_KEY (or STABILITY_API_KEY)"
        )
    if settings.offline_provider_enabled:
        enabled.append(offline)
    else:
        disabled["offline"] = (
            f"the offline provider is off in the {settings.profile} profile "
            "(IMAGESTUDIO_OFFLINE_PROVIDER=true turns it on)"
        )
    return StaticProviderDirectory(enabled, disabled)


def _secret(value: object) -> str | None:
    if value is None:
        return None
    secret = value.get_secret_value()  # type: ignore[attr-defined]
    return str(secret) if str(secret).strip() else None
