"""Secrets never reach a log line: a whole API key (in a URL such as `DELETE
/v1/admin/keys/<key>`, or anywhere else) keeps only the prefix every key listing shows, a signed
asset link loses its signature (the part that works without a key), a one-time sign-in
link its token, and the operator's own
secrets (admin key, signing key, provider keys) are struck out wherever they appear.

The server's access and error loggers get the filter when the app is created; the app's own log
lines name paths through `redacted` as well.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

from imagestudio.domain.api_key import DISPLAY_LENGTH, KEY_PREFIX

REDACTED = "[redacted]"
SERVER_LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn", "httpx", "httpcore")
"""The loggers a served app writes through besides its own (`imagestudio.*`, all of them)."""
_KEY = re.compile(
    rf"({re.escape(KEY_PREFIX)}[A-Za-z0-9_\-]{{{DISPLAY_LENGTH - len(KEY_PREFIX)}}})"
    r"[A-Za-z0-9_\-]+"
)
_SIGNED = re.compile(r"(/signed-assets/[A-Za-z0-9_\-]*)\.[A-Za-z0-9_\-]+")
_SIGN_IN_LINK = re.compile(r"(/sign-in/link\?token=)[A-Za-z0-9_\-]+")


class _Secrets:
    """The operator's secrets known to this process (every app created adds its own)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: frozenset[str] = frozenset()

    def add(self, secrets: Iterable[str]) -> None:
        # Short strings would strike out innocent text; no real secret is that short.
        with self._lock:
            self._known = self._known | {secret for secret in secrets if len(secret) >= 8}

    def strike(self, text: str) -> str:
        for secret in self._known:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text


_SECRETS = _Secrets()


def redacted(text: str) -> str:
    """`text` without whole API keys, signed-link signatures or the operator's secrets."""
    text = _KEY.sub(r"\1…", text)
    text = _SIGNED.sub(rf"\1.{REDACTED}", text)
    text = _SIGN_IN_LINK.sub(rf"\1{REDACTED}", text)
    return _SECRETS.strike(text)


class RedactSecrets(logging.Filter):
    """Rewrites a record's message, its arguments (keeping their number, as uvicorn's access
    formatter needs) and its traceback text; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redacted(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_argument(argument) for argument in record.args)
        elif isinstance(record.args, dict):
            record.args = {name: _argument(argument) for name, argument in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redacted(record.exc_text)
        return True


def _argument(argument: object) -> object:
    """The argument, or its text redacted when that text held a secret (a URL object, say)."""
    if argument is None or isinstance(argument, bool | int | float):
        return argument  # a number stays a number for `%d`
    text = str(argument)
    cleaned = redacted(text)
    return argument if cleaned == text else cleaned


_FILTER = RedactSecrets()


def redact_logs(secrets: Iterable[str]) -> None:
    """Strike `secrets` (and every API key and link signature) from what the server's loggers
    and this package's write (a filter belongs to one logger: each gets it)."""
    _SECRETS.add(secrets)
    ours = [name for name in logging.root.manager.loggerDict if name.startswith("imagestudio")]
    for name in (*SERVER_LOGGERS, "imagestudio", *ours):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
