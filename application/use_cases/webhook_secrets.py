"""Each user's webhook signing secret: shown to its owner, rotated on request.

The database keeps only a random seed per user; the secret is HMAC-SHA256 of the user id and
the seed under the server's key. Whoever reads the database alone cannot sign or verify a
delivery (as whoever reads it cannot use an API key, stored hashed); the server's key alone
signs nothing either. A user's secret is theirs only: another user's seed and id give
another secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.webhooks import SecretSeeds
from imagestudio.domain.webhook_signature import secret_text

PURPOSE = b"imagestudio webhook secret v1\n"
"""Derived with this label first, so the server's key means nothing else here."""
SEED_BYTES = 32


class WebhookSecrets:
    """The `whsec_…` secret of each user, made on first use."""

    def __init__(self, seeds: SecretSeeds, server_key: bytes, clock: Clock) -> None:
        self._seeds = seeds
        self._key = server_key
        self._clock = clock

    async def secret_for(self, user_id: str) -> str:
        """The user's current secret (one is made if the user has none yet)."""
        seed = await self._seeds.seed(user_id, secrets.token_bytes(SEED_BYTES), self._clock.now())
        return self._derive(user_id, seed)

    async def rotate(self, user_id: str) -> str:
        """A new secret for the user; deliveries from now on are signed with it only."""
        seed = secrets.token_bytes(SEED_BYTES)
        await self._seeds.rotate(user_id, seed, self._clock.now())
        return self._derive(user_id, seed)

    def _derive(self, user_id: str, seed: bytes) -> str:
        # `surrogatepass`: the same bytes for every real id; one no user can have still derives.
        name = user_id.encode("utf-8", "surrogatepass")
        message = PURPOSE + len(user_id).to_bytes(4, "big") + name + seed
        return secret_text(hmac.new(self._key, message, hashlib.sha256).digest())
