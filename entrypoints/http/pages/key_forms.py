"""The form that issues a user a new key (revoking their live ones) acts once: it names the
live keys it replaces, and a copy sent again after they changed (a reload or Back of the page
showing the new key, a second admin's tab) is refused instead of revoking the key just shown."""

from __future__ import annotations

from collections.abc import Iterable

from imagestudio.domain.api_key import ApiKey
from imagestudio.entrypoints.http.problems import Problem

REPLACES = "replaces"
"""The rotation form's field: the ids of the live keys it was shown with."""


def live_key_ids(keys: Iterable[ApiKey]) -> str:
    """What the form says it replaces: the live keys' ids, in one stable order."""
    return ",".join(sorted(key.id for key in keys if key.is_live))


def already_rotated(user_id: str) -> Problem:
    return Problem(
        status=409,
        slug="form-already-sent",
        title="This form was already sent",
        detail=f"{user_id}'s keys changed since this form was shown (it was sent once already, "
        "or another admin issued a key): no key was issued or revoked. Open their keys page "
        "to issue another",
        headers={"x-should-retry": "false"},
    )
