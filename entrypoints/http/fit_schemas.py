"""The plan fit of a quote as one body: what `POST /v1/quotes` answers in `fit`, and what the
CLI prints as JSON, so every client renders the same thing."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from imagestudio.domain.plan_fit import DimensionFit, PlanFit, Unit
from imagestudio.domain.quota import Scope
from imagestudio.entrypoints.http.problems import problem_for

Whose = Literal["plan", "operator"]


def _whose(scope: Scope) -> Whose:
    return "operator" if scope is Scope.OPERATOR else "plan"


class DimensionFitOut(BaseModel):
    """One limited dimension the request would touch."""

    name: str = Field(
        description='"calls:<category>", "spend", "concurrency", "requests per minute", '
        '"storage", or "budget" (the operator\'s monthly budget at the provider).'
    )
    whose: Whose = Field(description="The user's plan, or the operator's provider budget.")
    owner: str = Field(description="The user, or for the operator's budget the provider.")
    unit: Unit
    would_use: int | None = Field(
        description="What the request would take; null for storage (sizes known only after)."
    )
    used: int
    held: int = Field(description="Held by operations still running.")
    limit: int | None = Field(description="Null: unlimited.")
    remaining_after: int | None = Field(
        description="limit - used - held - would_use (negative: over by that much); null: "
        "unlimited."
    )
    resets_at: datetime | None = Field(
        description="When the count starts over (for the request rate: when the oldest request "
        "in the minute ages out); null for concurrency and storage."
    )
    fits: bool = Field(description="Whether this dimension alone would admit the request.")

    @classmethod
    def of(cls, dimension: DimensionFit) -> DimensionFitOut:
        return cls(
            name=dimension.name,
            whose=_whose(dimension.scope),
            owner=dimension.owner,
            unit=dimension.unit,
            would_use=dimension.would_use,
            used=dimension.used,
            held=dimension.held,
            limit=dimension.limit.maximum,
            remaining_after=dimension.remaining_after,
            resets_at=dimension.resets_at,
            fits=dimension.refusal is None,
        )


class PlanFitOut(BaseModel):
    """How the request fits the caller's plan and the operator's budget now; quoting holds
    nothing, so running it later may decide otherwise."""

    plan: str
    at: datetime = Field(description="When the fit was read.")
    would_be_refused: bool
    refused_by: Whose | None = Field(description="Whose limit would refuse it.")
    clears_at: datetime | None = Field(
        description="When waiting alone would let it through; null when not refused, or when "
        "only deleting assets makes room."
    )
    refusal: dict[str, Any] | None = Field(
        description="The problem (RFC 9457) running it now would be answered with: the same "
        "type, status, title, detail and fields."
    )
    dimensions: list[DimensionFitOut]

    @classmethod
    def of(cls, fit: PlanFit) -> PlanFitOut:
        refusal = None if fit.refusal is None else problem_for(fit.refusal).body()
        return cls(
            plan=fit.plan,
            at=fit.at,
            would_be_refused=fit.refusal is not None,
            refused_by=None if fit.refused_by is None else _whose(fit.refused_by),
            clears_at=fit.clears_at,
            refusal=refusal,
            dimensions=[DimensionFitOut.of(dimension) for dimension in fit.dimensions],
        )
