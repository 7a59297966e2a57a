"""Signed asset links: whoever holds one may download that one asset, without an API key, until
it expires.

A token is `<payload>.<signature>`, both URL-safe base64: the payload names the owner, the asset
and the expiry (unix seconds); the signature is HMAC-SHA256 over the payload with the server's
key, so changing any of the three, or signing with another key, is caught.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from imagestudio.entrypoints.settings import Settings

log = logging.getLogger(__name__)

PATH = "/v1/signed-assets/"
"""Where a token is redeemed, below the API's base URL: `<base>/v1/signed-assets/<token>`."""
PURPOSE = b"imagestudio asset link v1\n"
"""Signed before the payload, so this key's signatures mean nothing in any other use."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SignedAsset:
    owner: str
    asset_id: str
    expires: int
    """Unix seconds."""


class LinkRefusal(StrEnum):
    FORGED = "forged"
    """Not signed by this server's key for exactly this owner, asset and expiry."""
    EXPIRED = "expired"


class AssetLinks:
    """Signs and checks asset links with one key and one lifetime."""

    def __init__(
        self, key: bytes, lifetime_seconds: int, clock: Callable[[], float] = time.time
    ) -> None:
        self._key = key
        self._lifetime = lifetime_seconds
        self._clock = clock

    @classmethod
    def from_settings(cls, settings: Settings) -> AssetLinks:
        """With IMAGESTUDIO_SIGNING_KEY, or a random key of this process when it is unset."""
        if settings.signing_key is None:
            log.warning(
                "IMAGESTUDIO_SIGNING_KEY is unset: asset links are signed with a key drawn for "
                "this process, so they stop working when it restarts and in other processes"
            )
            key = secrets.token_bytes(32)
        else:
            key = settings.signing_key.get_secret_value().encode()
        return cls(key, settings.signed_url_seconds)

    def sign(self, owner: str, asset_id: str) -> str:
        """A token for `owner`'s asset, valid for the lifetime from now."""
        expires = math.ceil(self._clock() + self._lifetime)
        payload = _encode(json.dumps([owner, asset_id, expires], separators=(",", ":")).encode())
        return f"{payload}.{_encode(self._mac(payload))}"

    def verify(self, token: str) -> SignedAsset | LinkRefusal:
        """What the token grants, or why it grants nothing (a forgery is named before expiry)."""
        payload, dot, signature = token.partition(".")
        if not dot or not hmac.compare_digest(
            signature.encode(), _encode(self._mac(payload)).encode()
        ):
            return LinkRefusal.FORGED
        try:
            owner, asset_id, expires = json.loads(_decode(payload))
        except (ValueError, TypeError, binascii.Error):
            return LinkRefusal.FORGED  # signed, yet not ours: another format or version
        if not (isinstance(owner, str) and isinstance(asset_id, str) and type(expires) is int):
            return LinkRefusal.FORGED
        if expires <= self._clock():
            return LinkRefusal.EXPIRED
        return SignedAsset(owner=owner, asset_id=asset_id, expires=expires)

    def _mac(self, payload: str) -> bytes:
        return hmac.new(self._key, PURPOSE + payload.encode(), hashlib.sha256).digest()


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
