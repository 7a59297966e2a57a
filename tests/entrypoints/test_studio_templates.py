"""The studio's quote fragment renders a quote's plan fit when the quote has one (the shape of
`PlanFit`), and stays as it is without one."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape
from types import SimpleNamespace

from imagestudio.domain.quota import Scope
from imagestudio.entrypoints.http.pages.templating import ENVIRONMENT

AT = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def quote(**extra: object) -> SimpleNamespace:
    return SimpleNamespace(
        amount=40_000,
        model_id="offline/text-to-image",
        provider="offline",
        price_source="vendor",
        **extra,
    )


def dimension(name: str, unit: str, maximum: int | None, **numbers: int | None) -> SimpleNamespace:
    used, held, would_use = numbers.get("used", 0), numbers.get("held", 0), numbers.get("use", 1)
    left = None if maximum is None else maximum - (used or 0) - (held or 0) - (would_use or 0)
    return SimpleNamespace(
        name=name,
        scope=Scope.USER,
        unit=unit,
        would_use=would_use,
        used=used,
        held=held,
        limit=SimpleNamespace(maximum=maximum),
        remaining_after=left,
    )


def render(value: SimpleNamespace) -> str:
    template = ENVIRONMENT.get_template("_quote.html")
    return template.render(quote=value, problem=None, root="", csrf="", visit=None, path="/")


def test_a_quote_without_a_plan_fit_shows_its_price_only() -> None:
    html = render(quote())
    assert "$0.04" in html and "plan-fit" not in html


def test_a_quote_with_a_plan_fit_shows_each_limit_and_whose_refuses() -> None:
    fit = SimpleNamespace(
        plan="pro",
        dimensions=(
            dimension("spend", "micro-usd", 30_000, use=40_000),
            dimension("calls:image-generation", "count", None, use=2),
        ),
        refused_by=Scope.USER,
        clears_at=AT,
    )
    html = render(quote(fit=fit))
    assert 'data-plan-fit="refused"' in html
    assert "$0.03" in html and "-$0.01" in html and "unlimited" in html
    text = " ".join(unescape(html).split())
    assert "refused by your plan's limit, until 2026-03-04 12:00 UTC" in text
