"""The JSON shapes of the model catalog and of a price quote."""

from __future__ import annotations

from pydantic import BaseModel

from imagestudio.application.use_cases.list_models import ModelListing
from imagestudio.application.use_cases.quote import PriceQuote
from imagestudio.domain.money import format_usd
from imagestudio.entrypoints.http.fit_schemas import PlanFitOut


class ModelOut(BaseModel):
    id: str
    provider: str
    kinds: list[str]
    output: str
    modes: list[str]
    tier: str
    price_of_one_usd: str
    price_source: str
    available: bool
    unavailable_reason: str | None = None

    @classmethod
    def of(cls, item: ModelListing) -> ModelOut:
        return cls(
            id=item.model.id,
            provider=item.model.provider,
            kinds=sorted(k.value for k in item.model.kinds),
            output=item.model.output.value,
            modes=list(item.model.modes),
            tier=item.model.tier.value,
            price_of_one_usd=format_usd(item.price_of_one),
            price_source=item.model.price_source,
            available=item.available,
            unavailable_reason=item.unavailable_reason,
        )


class QuoteOut(BaseModel):
    model: str
    provider: str
    amount_micros: int
    amount_usd: str
    price_source: str
    fit: PlanFitOut

    @classmethod
    def of(cls, found: PriceQuote) -> QuoteOut:
        """Every quote's answer (HTTP and MCP alike) is built here."""
        return cls(
            model=found.model_id,
            provider=found.provider,
            amount_micros=found.amount,
            amount_usd=format_usd(found.amount),
            price_source=found.price_source,
            fit=PlanFitOut.of(found.fit),
        )
