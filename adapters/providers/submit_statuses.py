"""Which error statuses to a billable submit may hide work done, for both providers.

A server error can come after the work: the service made (and billed) the task, then failed to
answer; a gateway or CDN in front of it (Cloudflare's 520 and 524: "the origin answered
something unreadable", "the origin took longer than 100 s") answers for it once the request
reached it. Only a status that says the request was never acted on is a definite failure; any
other 5xx is an unknown outcome, held for reconciliation, never tried elsewhere as if free.
"""

from __future__ import annotations

NOT_ACTED_ON = frozenset({501, 503, 505, 521, 522, 523, 525, 526, 530})
"""The service would not take it (501 not implemented, 503 unavailable, 505 HTTP version),
or a CDN never reached it (Cloudflare 521 refused, 522 connect timed out, 523 unreachable,
525/526 TLS to the origin failed, 530 its own refusal)."""


def may_have_run(status: int) -> bool:
    """A submit answered `status` may have made, and been billed for, its task."""
    return status >= 500 and status not in NOT_ACTED_ON
