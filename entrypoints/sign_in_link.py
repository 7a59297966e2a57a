"""The one-time sign-in link `imagestudio serve` prints on the local profile (as notebook
servers do): the studio pages open as the default user without typing a key."""

from __future__ import annotations

import asyncio
import ipaddress

from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.settings import Settings


async def issue_link(settings: Settings) -> str:
    """A new one-time token for the default user (stored hashed, in the profile's database)."""
    studio = await ImageStudio.connect(settings)
    try:
        issue = studio.container.issue_sign_in_link()
        token: str = await issue.execute(settings.default_user)
        return token
    finally:
        await studio.aclose()


def link_host(host: str) -> str:
    """Where a browser on this machine reaches a server bound to `host`."""
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    try:
        return f"[{host}]" if ipaddress.ip_address(host).version == 6 else host
    except ValueError:
        return host  # a name


def print_sign_in_link(settings: Settings, host: str, port: int) -> None:
    token = asyncio.run(issue_link(settings))
    minutes = max(1, round(settings.studio_link_seconds / 60))
    print(
        "The studio: open this link to sign in as "
        f"{settings.default_user!r} (it works once, for {minutes} min):\n"
        f"    http://{link_host(host)}:{port}/sign-in/link?token={token}",
        flush=True,
    )
