"""The most each number setting takes: every one is bounded both ways
(tests/entrypoints/test_setting_bounds.py), since past these a price overflowed the 64-bit
columns at the first operation, far from the setting that caused it."""

from __future__ import annotations

from decimal import Decimal

from imagestudio.domain.money import MAX_ADJUSTMENT, MICROS_PER_USD

MOST_PRICE_USD = Decimal(MAX_ADJUSTMENT) / MICROS_PER_USD
"""$1,000,000,000 an output, the most one ledger adjustment may move."""
MOST_MICROS_PER_CREDIT = 10**12
"""$1,000,000 a credit (a credit is $0.01): ten outputs of the dearest model stay far below
the 64-bit counters."""
MOST_TASKS = 100_000
MOST_REQUESTS = 1_000_000
MOST_PIXELS = 10**10
MOST_REQUEST_BYTES = 2**40
