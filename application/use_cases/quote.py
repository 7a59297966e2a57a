"""Quote: the price of a request before running it, from the catalog only."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from imagestudio.application.operation_ports import OperationPorts
from imagestudio.application.preparation import prepare
from imagestudio.application.requests import OperationRequest
from imagestudio.domain.errors import OperationError
from imagestudio.domain.money import Micros
from imagestudio.domain.pricing import BillableUnits


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceQuote:
    model_id: str
    provider: str
    amount: Micros
    """The most the request can cost: what running it would reserve."""
    units: BillableUnits
    price_source: str


class QuotePrice:
    """Prices a request exactly as running it would, without reserving or calling anything."""

    def __init__(self, ports: OperationPorts) -> None:
        self._ports = ports

    async def execute(self, request: OperationRequest) -> Result[PriceQuote, OperationError]:
        """The price to reserve for `request`; images are checked only if given.

        Any catalog model can be quoted, even one whose provider this profile does not configure.
        """
        prepared = await prepare(self._ports, request, quoting=True)
        if isinstance(prepared, Failure):
            return Failure(prepared.failure())
        ready = prepared.unwrap()
        return Success(
            PriceQuote(
                model_id=ready.model.id,
                provider=ready.model.provider,
                amount=ready.price,
                units=ready.reserve_units,
                price_source=ready.model.price_source,
            )
        )
