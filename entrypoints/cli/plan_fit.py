"""The plan fit of a quote for people: one row per dimension, then whose limit would refuse it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from imagestudio.entrypoints.cli.output import line, money, table

if TYPE_CHECKING:
    from imagestudio.entrypoints.http.fit_schemas import DimensionFitOut, PlanFitOut


def show_fit(fit: PlanFitOut) -> None:
    """The dimensions as a table, then whether running it now would be refused and by whom."""
    table(
        f"fit to plan {fit.plan}",
        ["limit", "whose", "would use", "used", "held", "limit of", "left after", "resets at"],
        [_row(dimension) for dimension in fit.dimensions],
    )
    if fit.refusal is None:
        line("fits: running it now would be accepted")
        return
    whose = "the service's provider budget" if fit.refused_by == "operator" else "your plan"
    clears = f"; clears at {fit.clears_at.isoformat()}" if fit.clears_at else ""
    line(f"would be refused by {whose}: {fit.refusal['detail']}{clears}")


def _row(dimension: DimensionFitOut) -> tuple[str, ...]:
    def shown(value: int | None, absent: str) -> str:
        if value is None:
            return absent
        return money(value) if dimension.unit == "micro-usd" else str(value)

    resets = dimension.resets_at.isoformat() if dimension.resets_at else "-"
    return (
        dimension.name,
        dimension.whose,
        shown(dimension.would_use, "unknown"),
        shown(dimension.used, ""),
        shown(dimension.held, ""),
        shown(dimension.limit, "unlimited"),
        shown(dimension.remaining_after, "unlimited"),
        resets,
    )
