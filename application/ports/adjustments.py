"""The adjustments port: corrections of a user's charge, on the ledger and the counter at once."""

from __future__ import annotations

from typing import Protocol

from returns.result import Result

from imagestudio.domain.errors import RefundTooLarge
from imagestudio.domain.quota import Counter
from imagestudio.domain.usage_record import UsageRecord


class Adjustments(Protocol):
    """A refund or correction is a ledger line of its own (no line is ever edited), applied to
    the user's spend counter in the same step, so that `used` stays exactly the sum of the
    ledger's charges."""

    async def apply(self, line: UsageRecord) -> Result[Counter, RefundTooLarge]:
        """Append `line` and move the user's spend for `line.billing_period` by
        `line.user_charge`, atomically: a refund that would take spend below zero is refused and
        writes nothing. The spend counter afterwards."""
        ...
