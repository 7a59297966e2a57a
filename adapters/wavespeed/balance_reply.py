"""The balance in WaveSpeed's `GET /api/v3/balance` reply, as the account check shows it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import httpx


def read_balance(response: httpx.Response) -> str | None:
    """`data.balance` as "12.34 USD" (more decimals only when the provider gives them)."""
    try:
        envelope = response.json()
    except ValueError:
        return None
    data = envelope.get("data", envelope) if isinstance(envelope, dict) else None
    value = data.get("balance") if isinstance(data, dict) else data
    currency = data.get("currency", "USD") if isinstance(data, dict) else "USD"
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    cents = amount.quantize(Decimal("0.01"))
    return f"{cents if cents == amount else amount} {currency}"
