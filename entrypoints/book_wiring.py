"""Which book of each provider an audit reads, built from settings.

The sandbox lists every task it billed; the real WaveSpeed and Stability accounts show a
balance only. The offline provider runs here and bills nobody: it has no book.
"""

from __future__ import annotations

import httpx

from imagestudio.adapters.sandbox.book_reader import SandboxBook
from imagestudio.adapters.stability.balance_book import StabilityBalanceBook
from imagestudio.adapters.wavespeed.balance_book import WaveSpeedBalanceBook
from imagestudio.application.ports.provider_book import ProviderBook
from imagestudio.entrypoints.provider_wiring import stability_settings, wavespeed_settings
from imagestudio.entrypoints.settings import Profile, Settings

SANDBOXED = ("wavespeed", "stability")


def build_provider_books(
    settings: Settings,
    wavespeed_http: httpx.AsyncClient | None,
    stability_http: httpx.AsyncClient | None,
) -> dict[str, ProviderBook]:
    """One book per real provider this profile enables, by provider name."""
    books: dict[str, ProviderBook] = {}
    if settings.profile is Profile.SANDBOX:
        for provider in ("wavespeed", "stability"):
            books[provider] = SandboxBook(
                settings.sandbox_url, provider, settings.micros_per_credit
            )
        return books
    ws = wavespeed_settings(settings)
    if ws is not None and wavespeed_http is not None:
        books["wavespeed"] = WaveSpeedBalanceBook(ws, wavespeed_http)
    st = stability_settings(settings)
    if st is not None and stability_http is not None:
        books["stability"] = StabilityBalanceBook(st, stability_http, settings.micros_per_credit)
    return books
