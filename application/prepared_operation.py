"""A request made ready to run: validated against its model, sized and priced."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from imagestudio.application.ports.provider import InputImage
from imagestudio.application.requests import OperationRequest
from imagestudio.domain.model import Model
from imagestudio.domain.money import Micros
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.pricing import BillableUnits


@dataclass(frozen=True, slots=True, kw_only=True)
class PreparedOperation:
    request: OperationRequest
    model: Model
    inputs: tuple[InputImage, ...]
    input_digests: tuple[str, ...]
    input_asset_ids: tuple[str, ...]
    width: int
    height: int
    parameters: Mapping[str, ParameterValue]
    reserve_units: BillableUnits
    price: Micros
    """The highest this request can cost: what is reserved."""
    request_hash: str
    """What an idempotency key's retries must match; empty when the request has no key."""
