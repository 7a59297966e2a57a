"""Comparing our ledger with a provider that shows a balance only: totals, never tasks.

A balance can be read now and only now, so the span compared runs from `since` to the moment
it was read. With the balance at `since` (the operator's own reading), what it fell by is
compared with the provider cost we recorded; without it, the report says what that opening
balance should have been, for the operator to check against the provider's dashboard.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from imagestudio.application.audit.report import AuditMethod, Difference, ProviderAudit
from imagestudio.application.audit.wording import balance_mismatch
from imagestudio.domain.money import Micros, format_usd
from imagestudio.domain.usage_record import UsageRecord


def compare_balance(
    provider: str,
    lines: Sequence[UsageRecord],
    *,
    closing: Micros,
    read_at: datetime,
    since: datetime,
    until: datetime,
    opening: Micros | None,
) -> ProviderAudit:
    """`lines` are the provider's lines finished in [since, read_at)."""
    recorded = sum(line.provider_cost for line in lines)
    unconfirmed = sum(line.unconfirmed_cost for line in lines)
    note = (
        f"{provider} shows a balance only, so only totals could be compared, never single "
        f"tasks: the balance read at {read_at.isoformat(timespec='seconds')} is "
        f"{format_usd(closing)}, our provider cost since {since.isoformat(timespec='seconds')} "
        f"is {format_usd(recorded)}"
    )
    if until < read_at:
        note += (
            "; a balance can only be read now, so the comparison runs up to now, not to "
            f"{until.isoformat(timespec='seconds')}"
        )
    differences: tuple[Difference, ...] = ()
    if opening is None:
        low, high = closing + recorded - unconfirmed, closing + recorded
        expected = format_usd(high) if low == high else f"{format_usd(low)}–{format_usd(high)}"
        note += (
            f"; with no opening balance given, the balance at since should have been "
            f"{expected}: compare with the provider's records, or give it to compare here"
        )
    else:
        spent = opening - closing
        moved = "fell" if spent >= 0 else "rose"  # a top-up, or a refund, can raise it
        note += f"; the balance {moved} by {format_usd(abs(spent))} from {format_usd(opening)}"
        if not recorded - unconfirmed <= spent <= recorded:
            differences = (balance_mismatch(spent, recorded, unconfirmed, opening, closing),)
        elif spent < recorded:
            note += f" ({format_usd(recorded - spent)} of our possible cost was not billed)"
    return ProviderAudit(
        provider=provider,
        method=AuditMethod.BALANCE,
        method_note=note,
        lines=len(lines),
        recorded_cost=recorded,
        unconfirmed_cost=unconfirmed,
        billed_cost=None if opening is None else opening - closing,
        differences=differences,
    )
