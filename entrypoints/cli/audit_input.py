"""An audit's request as an operator writes it, on the command line or in a query string:
the span's days or times, one provider or all, and opening balances as `provider=dollars`."""

from __future__ import annotations

from collections.abc import Sequence

from imagestudio.application.use_cases.audit_provider import AuditRequest
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.money import Micros
from imagestudio.entrypoints.cli.limits import dollars, export_moment

OPENING = "opening_balance"


def audit_request(
    since: str, until: str | None, provider: str | None, openings: Sequence[str]
) -> AuditRequest | InvalidInput:
    start = export_moment("since", since)
    if isinstance(start, InvalidInput):
        return start
    end = None if until is None else export_moment("until", until, day_end=True)
    if isinstance(end, InvalidInput):
        return end
    balances: dict[str, Micros] = {}
    for text in openings:
        found = opening_balance(text)
        if isinstance(found, InvalidInput):
            return found
        if found[0] in balances:  # the last one silently won
            return InvalidInput(OPENING, f"{found[0]} is given twice: give it once")
        balances[found[0]] = found[1]
    return AuditRequest(since=start, until=end, provider=provider, opening_balances=balances)


def opening_balance(text: str) -> tuple[str, Micros] | InvalidInput:
    """`wavespeed=12.50`: a balance-only provider's balance at `since`, in dollars (for
    Stability, its credits times the value of a credit)."""
    name, equals, amount = text.partition("=")
    if not equals or not name.strip():
        return InvalidInput(OPENING, f"{text!r}: write provider=dollars, such as wavespeed=12.50")
    balance = dollars(OPENING, amount.strip())  # by the rules every amount typed meets
    if isinstance(balance, InvalidInput):
        return InvalidInput(OPENING, f"{text!r}: {balance.reason}")
    return name.strip(), balance
