"""WaveSpeed's side of the audit: its account shows a balance only (`GET /api/v3/balance`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

import httpx

from imagestudio.adapters.providers.deadline import Deadline, DeadlinePassed
from imagestudio.adapters.providers.read_retries import get_with_retries
from imagestudio.adapters.wavespeed.errors import PROVIDER, reply_message
from imagestudio.adapters.wavespeed.settings import WaveSpeedSettings
from imagestudio.application.ports.provider_book import Balance, BookReading, BookUnreadable
from imagestudio.domain.money import usd_to_micros

BALANCE_SECONDS = 30.0


class WaveSpeedBalanceBook:
    """The `ProviderBook` port on WaveSpeed's balance: WaveSpeed lists no billed tasks."""

    provider = PROVIDER

    def __init__(self, settings: WaveSpeedSettings, client: httpx.AsyncClient) -> None:
        self._url = f"{settings.api_root}/balance"
        self._auth = {"Authorization": f"Bearer {settings.api_key}"}
        self._client = client

    async def read(self, since: datetime, until: datetime) -> BookReading:  # noqa: ARG002
        # A balance is read as it stands now, whatever the span: the audit says so.
        try:
            response = await get_with_retries(
                self._client, self._url, deadline=Deadline(BALANCE_SECONDS), headers=self._auth
            )
        except (httpx.TransportError, DeadlinePassed) as trouble:
            return BookUnreadable(reason=f"WaveSpeed is unreachable: {type(trouble).__name__}")
        if response.status_code != httpx.codes.OK:
            detail = reply_message(response)
            return BookUnreadable(reason=f"HTTP {response.status_code}: {detail}")
        amount = _usd(response)
        if amount is None:
            return BookUnreadable(reason="the balance reply could not be read")
        return Balance(amount=usd_to_micros(amount))


def _usd(response: httpx.Response) -> Decimal | None:
    """`data.balance` (or a bare `balance`: both shapes are documented), in USD."""
    try:
        envelope = response.json(parse_float=Decimal)
    except ValueError:
        return None
    data = envelope.get("data", envelope) if isinstance(envelope, dict) else None
    value = data.get("balance") if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None
