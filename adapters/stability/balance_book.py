"""Stability's side of the audit: its account shows a balance only (`GET /v1/user/balance`),
in credits."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

import httpx

from imagestudio.adapters.providers.deadline import Deadline
from imagestudio.adapters.stability.balance import BalanceUnread, Trouble, read_credits
from imagestudio.adapters.stability.errors import PROVIDER
from imagestudio.adapters.stability.settings import StabilitySettings
from imagestudio.application.ports.provider_book import Balance, BookReading, BookUnreadable
from imagestudio.domain.money import Micros, round_half_up

BALANCE_SECONDS = 30.0


class StabilityBalanceBook:
    """The `ProviderBook` port on Stability's credit balance: Stability lists no billed tasks."""

    provider = PROVIDER

    def __init__(
        self, settings: StabilitySettings, client: httpx.AsyncClient, micros_per_credit: Micros
    ) -> None:
        self._base_url = settings.base_url
        self._client = client
        self._micros_per_credit = micros_per_credit

    async def read(self, since: datetime, until: datetime) -> BookReading:  # noqa: ARG002
        # A balance is read as it stands now, whatever the span: the audit says so.
        credits = await read_credits(self._client, self._base_url, Deadline(BALANCE_SECONDS))
        if isinstance(credits, BalanceUnread):
            if credits.trouble is Trouble.UNREACHABLE:
                return BookUnreadable(reason=f"Stability is unreachable: {credits.detail}")
            return BookUnreadable(reason=credits.detail)
        return Balance(amount=round_half_up(Fraction(credits) * self._micros_per_credit))
