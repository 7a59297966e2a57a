"""API-key generators: random keys in production, counted ones for tests."""

from __future__ import annotations

import itertools
import secrets

from imagestudio.domain.api_key import KEY_PREFIX

KEY_BYTES = 32
KEY_LENGTH = len(KEY_PREFIX) + 43
"""`isk_` and 32 bytes in unpadded base64url."""


class RandomKeyGenerator:
    """The `KeyGenerator` port on `secrets`: `isk_` and 256 random bits, URL-safe."""

    def new_key(self) -> str:
        return KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)


class CountingKeyGenerator:
    """The `KeyGenerator` port for tests: `isk_00000001-not-secret-…`, `isk_00000002-…`, as long
    as real keys, each with its own displayed prefix."""

    def __init__(self) -> None:
        self._count = itertools.count(1)

    def new_key(self) -> str:
        return f"{KEY_PREFIX}{next(self._count):08d}-not-secret-".ljust(KEY_LENGTH, "x")


class RandomTokens:
    """The `SecretTokens` port on `secrets`: 256 random bits, URL-safe."""

    def new_token(self) -> str:
        return secrets.token_urlsafe(KEY_BYTES)
