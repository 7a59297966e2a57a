"""Transport errors: which ones mean nothing was sent, and how a log line names them."""

from __future__ import annotations

import httpx

NOTHING_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport errors raised before a byte of the request left this machine."""


def named(trouble: Exception) -> str:
    text = str(trouble)
    return f"{type(trouble).__name__}: {text}" if text else type(trouble).__name__
