"""What each kind of setting takes, as types the settings' fields are declared with: a refusal
names what the setting takes, never the value given (several settings are secrets, and a host
application may log the error it catches)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, SecretStr

from imagestudio.application.names import USER_ID_LENGTH, check_name

DATABASE_URL_FORMS = "give sqlite:///path/to/file.db or postgresql://user@host/database"
SIGNING_KEY_CHARS = 32
"""The shortest signing key taken: as many characters as the HMAC's SHA-256 has bytes."""


def _http_address(value: str) -> str:
    if not re.fullmatch(r"https?://\S+", value):
        raise ValueError("give an http:// or https:// address")
    return value


def _database_url(value: str) -> str:
    # Imported here: only a process given a database URL pays for SQLAlchemy's parser.
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        backend = make_url(value).get_backend_name()
    except (ArgumentError, ValueError):
        raise ValueError(f"not a database URL: {DATABASE_URL_FORMS}") from None
    if backend not in ("postgresql", "postgres", "sqlite"):
        raise ValueError(f"unsupported database {backend!r}: {DATABASE_URL_FORMS}")
    return value


def _user_id(value: str) -> str:
    # The id names the user's asset folder: with one no folder can bear, every output of
    # theirs would be paid to the provider and lost.
    if check_name("user id", value, USER_ID_LENGTH) is not None:
        raise ValueError(
            "use letters, digits and _ . @ -, starting with a letter or digit, "
            f"at most {USER_ID_LENGTH} characters"
        )
    return value


def _signing_key(value: SecretStr) -> SecretStr:
    # Checked here, not by `min_length`: on a secret pydantic would count "items".
    if len(value.get_secret_value()) < SIGNING_KEY_CHARS:
        raise ValueError(f"give at least {SIGNING_KEY_CHARS} characters (a random string)")
    return value


def _no_float(value: object) -> object:
    if isinstance(value, float):
        raise ValueError("give money as a string such as '0.02', never a float")
    return value


def _folder(value: object) -> object:
    # An empty value (`IMAGESTUDIO_DATA_DIR=`, meant as "unset") read as the current folder, and
    # the database and assets landed wherever the command happened to run.
    if isinstance(value, str) and not value.strip():
        raise ValueError("give a folder: an empty value names none (unset it for the default)")
    return value


HttpAddress = Annotated[str, AfterValidator(_http_address)]
"""An http(s) address with no spaces."""
DatabaseUrl = Annotated[str, AfterValidator(_database_url)]
"""A SQLite or PostgreSQL URL, as SQLAlchemy reads it."""
UserId = Annotated[str, AfterValidator(_user_id)]
"""A user id `add_user` would take."""
SigningKey = Annotated[SecretStr, AfterValidator(_signing_key)]
"""A secret of SIGNING_KEY_CHARS characters at least."""
NoFloat = BeforeValidator(_no_float)
"""Money given as a float is refused before it is turned into a Decimal (floats are not exact)."""
Folder = Annotated[Path, BeforeValidator(_folder)]
"""A folder's path, never empty."""


def _blank_is_unset(value: object) -> object:
    # `IMAGESTUDIO_ADMIN_KEY=` turned the admin API "on" with a key no request can send: every
    # admin call answered 401, not the 403 that says the admin API is off.
    if isinstance(value, str) and not value.strip():
        return None
    return value


BlankIsUnset = BeforeValidator(_blank_is_unset)
"""An empty (or blank) value reads as unset, as the providers' keys do."""
