"""How the container builds what completion webhooks need beyond constructors: the asset links
webhook bodies carry, and the server key each user's secret is derived from.

IMAGESTUDIO_SIGNING_KEY unset is said only where it makes a difference: a key file beside a
SQLite database is as lasting as the database and the host it is on, so nothing is said there;
a database several hosts may share (PostgreSQL) is told, once per data directory, that each host
would derive other secrets. Asset links are signed only with IMAGESTUDIO_PUBLIC_URL set, so the
links' own warning (signed_urls.py) comes only then."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from imagestudio.adapters.webhooks.destinations import Destinations
from imagestudio.entrypoints.builders import profile_folder, state_kind
from imagestudio.entrypoints.http.signed_urls import AssetLinks
from imagestudio.entrypoints.settings import Settings

log = logging.getLogger(__name__)

KEY_FILE = "webhook-secrets.key"


class PublicAssetLinks:
    """The `AssetLinker` port: signed links under IMAGESTUDIO_PUBLIC_URL, made at each call.
    `links` is asked for only then: without a public URL no link is signed, and nothing warns
    that the key signing them is this process's own."""

    def __init__(self, links: Callable[[], AssetLinks], public_url: str | None) -> None:
        self._links = links
        self._base = None if public_url is None else public_url.rstrip("/")

    def link(self, owner: str, asset_id: str) -> str | None:
        if self._base is None:
            return None
        return f"{self._base}/v1/signed-assets/{self._links().sign(owner, asset_id)}"


def build_destinations(settings: Settings) -> Destinations:
    return Destinations(
        allow_http=settings.webhook_allow_http, allow_private=settings.webhook_allow_private
    )


def webhook_server_key(settings: Settings) -> bytes:
    """The key users' secrets are derived with: IMAGESTUDIO_SIGNING_KEY when set; else, with
    a database, a key file beside it (made once, readable by its owner only); else (state in
    the process) a key of this process, since the seeds die with it too."""
    if settings.signing_key is not None:
        return settings.signing_key.get_secret_value().encode()
    if state_kind(settings) == "memory":
        return secrets.token_bytes(32)
    path = profile_folder(settings) / KEY_FILE
    if not path.exists() and _write_key(path) and not _on_sqlite(settings):
        log.warning(
            "IMAGESTUDIO_SIGNING_KEY is unset: webhook secrets are derived with %s, a key of "
            "this host; set the same IMAGESTUDIO_SIGNING_KEY on every host sharing the database",
            path,
        )
    return path.read_bytes()


def _write_key(path: Path) -> bool:
    """Made here (True), or by another process first (False: theirs is the key)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "wb") as file:
        file.write(secrets.token_bytes(32))
    return True


def _on_sqlite(settings: Settings) -> bool:
    url = settings.effective_database_url
    return url is not None and url.startswith("sqlite")
