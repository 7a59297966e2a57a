"""What listings newest first (assets, operations) share: one opaque text form for a place
`(created_at, id)`, so every listing pages alike, and one rule for the times they filter on."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime

from returns.result import Failure, Result, Success

from imagestudio.domain.errors import InvalidInput

_CURSOR_TEXT = re.compile(r"[A-Za-z0-9_-]{1,400}")
"""Unpadded base64url; an id is at most 128 characters, so a real cursor is far shorter."""
NOT_A_CURSOR = InvalidInput("cursor", "not a cursor this service gave out")


def place_text(created_at: datetime, item_id: str) -> str:
    """The place as an opaque, URL-safe token: unpadded base64url of "<iso time>|<id>"."""
    plain = f"{created_at.isoformat()}|{item_id}".encode()
    return base64.urlsafe_b64encode(plain).rstrip(b"=").decode("ascii")


def parsed_place(text: str) -> Result[tuple[datetime, str], InvalidInput]:
    """The `(created_at, id)` that `place_text` made, or why `text` is not a cursor."""
    if not _CURSOR_TEXT.fullmatch(text):
        return Failure(NOT_A_CURSOR)
    try:
        padded = text + "=" * (-len(text) % 4)
        plain = base64.b64decode(padded, altchars=b"-_", validate=True).decode()
        moment, separator, item_id = plain.partition("|")
        created_at = datetime.fromisoformat(moment)
    except ValueError:  # bad base64, bad UTF-8 and a bad time are all ValueErrors
        return Failure(NOT_A_CURSOR)
    # No id holds a control character, and PostgreSQL cannot even compare one holding a NUL.
    if not separator or not item_id.isprintable() or not item_id or created_at.tzinfo is None:
        return Failure(NOT_A_CURSOR)
    try:
        # Cursors are given out in UTC; another zone at the calendar's edge cannot be stored.
        return Success((created_at.astimezone(UTC), item_id))
    except OverflowError:
        return Failure(NOT_A_CURSOR)


def moment_problem(field: str, moment: datetime | None) -> InvalidInput | None:
    """Why `moment` cannot filter a listing (no zone; no UTC time, at the calendar's edge),
    or None."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return InvalidInput(field, "give a time zone (e.g. 2026-01-01T00:00:00Z)")
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return InvalidInput(field, f"{moment.isoformat()} is outside the calendar in UTC")
    return None
