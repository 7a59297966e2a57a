"""The names an operator gives plans, users and providers: safe as ids, paths and table keys."""

from __future__ import annotations

import re

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.errors.echo import echoed

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]*")

PLAN_NAME_LENGTH = 64
USER_ID_LENGTH = 128
PROVIDER_NAME_LENGTH = 64


def check_name(field: str, name: str, max_length: int) -> InvalidInput | None:
    """None when `name` is letters, digits and `_ . @ -`, not starting with a symbol, and short
    enough; otherwise what is wrong with it (a user id also names the user's asset folder)."""
    if not _NAME.fullmatch(name):
        return InvalidInput(
            field,
            f"{echoed(name)}: use letters, digits and _ . @ -, starting with a letter or digit",
        )
    if len(name) > max_length:
        return InvalidInput(field, f"{echoed(name)} is longer than {max_length} characters")
    return None
