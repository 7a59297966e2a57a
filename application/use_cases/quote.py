"""Quote: the price of a request before running it, and how it fits the user's plan now."""

from __future__ import annotations

from dataclasses import dataclass, replace

from returns.result import Failure, Result, Success

from imagestudio.application.money_path.attempt import reservation_request
from imagestudio.application.operation_ports import OperationPorts
from imagestudio.application.ports.asset_library import AssetLibrary
from imagestudio.application.ports.quota_store import QuotaStore
from imagestudio.application.preparation import prepare
from imagestudio.application.request_shape import shape_problem
from imagestudio.application.requests import OperationRequest
from imagestudio.domain.errors import OperationError, UnknownUser
from imagestudio.domain.money import Micros
from imagestudio.domain.plan_fit import PlanFit, Standing, plan_fit
from imagestudio.domain.pricing import BillableUnits
from imagestudio.domain.quota import ReservationRequest


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceQuote:
    model_id: str
    provider: str
    amount: Micros
    """The most the request can cost: what running it would reserve."""
    units: BillableUnits
    price_source: str
    fit: PlanFit
    """What running it now would use of the user's plan (and the operator's budget), what would
    remain, and the refusal reserving would give, if any."""


async def standing_for(
    quota: QuotaStore, library: AssetLibrary, request: ReservationRequest
) -> Result[Standing, UnknownUser]:
    """What reserving `request` would decide on, read now: the quota's standing, with the
    user's stored bytes when the request stores outputs under a finite storage limit."""
    found = await quota.standing(request)
    if isinstance(found, Failure):
        return found
    standing = found.unwrap()
    if request.needs_storage and not standing.plan.storage_bytes.is_unlimited:
        stored = await library.bytes_used(request.user_id)
        standing = replace(standing, stored_bytes=stored)
    return Success(standing)


class QuotePrice:
    """Prices a request exactly as running it would, and decides whether it would be refused
    with the rule reserving uses, without reserving, writing or calling anything."""

    def __init__(self, ports: OperationPorts) -> None:
        self._ports = ports

    async def execute(self, request: OperationRequest) -> Result[PriceQuote, OperationError]:
        """The price to reserve for `request` and its fit to the user's plan now; images are
        checked only if given. An unknown user is `UnknownUser`, as running would be.

        Any catalog model can be quoted, even one whose provider this profile does not configure.
        """
        ports = self._ports
        if (problem := shape_problem(request)) is not None:
            return Failure(problem)
        prepared = await prepare(ports, request, quoting=True)
        if isinstance(prepared, Failure):
            return Failure(prepared.failure())
        ready = prepared.unwrap()
        asked = reservation_request(ready, ports.clock.now())
        found = await standing_for(ports.quota, ports.assets.library, asked)
        if isinstance(found, Failure):
            return Failure(found.failure())
        standing = found.unwrap()
        return Success(
            PriceQuote(
                model_id=ready.model.id,
                provider=ready.model.provider,
                amount=ready.price,
                units=ready.reserve_units,
                price_source=ready.model.price_source,
                fit=plan_fit(asked, standing),
            )
        )
