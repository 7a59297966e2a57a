"""The price of a catalog entry, in one of four forms, read exactly: never a float, never $0."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

from imagestudio.adapters.catalog.catalog_error import CatalogError
from imagestudio.domain.money import MICROS_PER_USD, Micros, usd_to_micros
from imagestudio.domain.pricing import (
    FlatPerOutput,
    PerCredit,
    PerMegapixel,
    PerVideoSecond,
    PricingRule,
)

PRICE_FORMS = ("usd", "credits", "usd_per_megapixel", "usd_per_second")


def parse_price(
    value: object, *, model_id: str, micros_per_credit: Micros, allow_zero: bool
) -> PricingRule:
    """The pricing rule written as `price = { <form> = ... }`; a zero price only if allowed."""
    if value is None:
        raise CatalogError(
            "missing: a model without a price is an error, never $0",
            model_id=model_id,
            field="price",
        )
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in PRICE_FORMS:
        raise CatalogError(
            f'write exactly one of {", ".join(PRICE_FORMS)}, e.g. price = {{ usd = "0.027" }}',
            model_id=model_id,
            field="price",
        )
    ((form, amount),) = value.items()
    rule = _rule(form, amount, model_id, micros_per_credit)
    if not allow_zero and _is_free(rule):
        raise CatalogError(
            "a zero price is allowed only for offline models; an unknown price is an error",
            model_id=model_id,
            field=f"price.{form}",
        )
    return rule


def _rule(form: str, amount: object, model_id: str, micros_per_credit: Micros) -> PricingRule:
    field = f"price.{form}"
    if form == "usd":
        return FlatPerOutput(_micros(amount, model_id, field))
    if form == "usd_per_megapixel":
        return PerMegapixel(_micros(amount, model_id, field))
    if form == "credits":
        return PerCredit(_credits(amount, model_id, field), micros_per_credit)
    return PerVideoSecond(_rates(amount, model_id, field))


def _micros(amount: object, model_id: str, field: str) -> Micros:
    text = _money_text(amount, model_id, field, example="0.027")
    try:
        dollars = Decimal(text)
    except InvalidOperation:
        dollars = Decimal("NaN")
    if not dollars.is_finite() or dollars < 0:
        raise CatalogError(f"{text!r} is not an amount of dollars", model_id=model_id, field=field)
    if (dollars * MICROS_PER_USD) % 1:
        raise CatalogError(f"{text!r} is finer than a micro-dollar", model_id=model_id, field=field)
    return usd_to_micros(dollars)


def _credits(amount: object, model_id: str, field: str) -> Fraction:
    text = _money_text(amount, model_id, field, example="6.5")
    try:
        credits = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise CatalogError(
            f"{text!r} is not a number of credits", model_id=model_id, field=field
        ) from None
    if credits < 0:
        raise CatalogError(f"{text!r} is negative", model_id=model_id, field=field)
    return credits


def _rates(amount: object, model_id: str, field: str) -> dict[str, Micros]:
    if not isinstance(amount, dict) or not amount:
        raise CatalogError(
            'write a rate per resolution, e.g. { "720p" = "0.10" }', model_id=model_id, field=field
        )
    return {
        str(resolution): _micros(rate, model_id, f"{field}.{resolution}")
        for resolution, rate in amount.items()
    }


def _money_text(amount: object, model_id: str, field: str, *, example: str) -> str:
    if isinstance(amount, float):
        raise CatalogError(
            f'money is never a float: write {amount!r} as a string ("{amount!r}")',
            model_id=model_id,
            field=field,
        )
    if not isinstance(amount, str):
        raise CatalogError(
            f'write the amount as a string such as "{example}", not {amount!r}',
            model_id=model_id,
            field=field,
        )
    return amount.strip()


def _is_free(rule: PricingRule) -> bool:
    if isinstance(rule, FlatPerOutput):
        return rule.micros == 0
    if isinstance(rule, PerMegapixel):
        return rule.micros_per_megapixel == 0
    if isinstance(rule, PerCredit):
        return rule.credits == 0
    return any(rate == 0 for rate in rule.micros_per_second.values())
