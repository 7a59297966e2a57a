"""Stability's side of the audit: its account shows a balance only (`GET /v1/user/balance`),
in credits."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import httpx

from imagestudio.adapters.providers.deadline import Deadline, DeadlinePassed
from imagestudio.adapters.providers.read_retries import get_with_retries
from imagestudio.adapters.stability.errors import PROVIDER, error_detail
from imagestudio.adapters.stability.provider import BALANCE_PATH
from imagestudio.adapters.stability.replies import JSON_ACCEPT
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
        self._url = f"{settings.base_url.rstrip('/')}/{BALANCE_PATH}"
        self._client = client
        self._micros_per_credit = micros_per_credit

    async def read(self, since: datetime, until: datetime) -> BookReading:  # noqa: ARG002
        # A balance is read as it stands now, whatever the span: the audit says so.
        try:
            response = await get_with_retries(
                self._client,
                self._url,
                deadline=Deadline(BALANCE_SECONDS),
                headers={"accept": JSON_ACCEPT},
            )
        except (httpx.TransportError, DeadlinePassed) as trouble:
            return BookUnreadable(reason=f"Stability is unreachable: {type(trouble).__name__}")
        if response.status_code != httpx.codes.OK:
            return BookUnreadable(reason=error_detail(response))
        try:
            credits = Decimal(str(response.json(parse_float=Decimal)["credits"]))
        except (ValueError, KeyError, TypeError, InvalidOperation):
            return BookUnreadable(reason="the balance reply could not be read")
        if not credits.is_finite():
            return BookUnreadable(reason="the balance reply could not be read")
        return Balance(amount=round_half_up(Fraction(credits) * self._micros_per_credit))
