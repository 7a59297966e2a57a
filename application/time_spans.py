"""The one rule for a span of time a caller gives as a start and an end (a listing's
`created_from`/`created_before`, an export's or an audit's `since`/`until`): the end must come
after the start. An empty or reversed span is a mistake in the request, refused by name, rather
than an empty answer that looks like "nothing happened then"."""

from __future__ import annotations

from datetime import datetime

from imagestudio.domain.errors import InvalidInput


def span_problem(
    start_field: str, start: datetime | None, end_field: str, end: datetime | None
) -> InvalidInput | None:
    """Why [start, end) is no span (the end not after the start), naming the end's field; None
    when it is one or either side is open. Both must be aware times."""
    if start is None or end is None or end > start:
        return None
    return InvalidInput(
        end_field, f"{end.isoformat()} is not after {start_field} ({start.isoformat()})"
    )


def future_problem(
    start_field: str, start: datetime, end: datetime | None, now: datetime
) -> InvalidInput | None:
    """Why a span left open to now (`end` None) is reversed: its start is after now (a year
    mistyped reads as "nothing happened then", or an audit's "no differences")."""
    if end is not None or start <= now:
        return None
    return InvalidInput(
        start_field,
        f"{start.isoformat()} is after now ({now.isoformat()}): nothing has finished since; "
        "give a time past, or an end",
    )
