"""The token each rendering of a run form carries (`run_id`): a second submit of the same form
(a double click, a form sent again) names the same run, so it is followed, never run twice."""

from __future__ import annotations

import hashlib
import re
import uuid

from starlette.datastructures import FormData

from imagestudio.entrypoints.http.pages.form_fields import text

RUN_FIELD = "run_id"
_TOKEN = re.compile(r"[0-9a-f]{32}")


def new_token() -> str:
    return uuid.uuid4().hex


def run_key(form: FormData, user_id: str) -> str:
    """32 hex digits naming the run `form` asks for: of its token and the user (one user's
    token never names another's run); a form without a token is a run of its own."""
    token = text(form, RUN_FIELD)
    if _TOKEN.fullmatch(token) is None:
        return new_token()
    return hashlib.sha256(f"{user_id}\0{token}".encode()).hexdigest()[:32]
