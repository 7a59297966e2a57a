"""Add user: a new user on a plan, with an API key shown once."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from imagestudio.application.key_issuing import IssuedKey, KeyIssuer
from imagestudio.application.names import USER_ID_LENGTH, check_name
from imagestudio.application.ports.api_keys import ApiKeys
from imagestudio.application.ports.quota_store import QuotaAdministration
from imagestudio.domain.errors import InvalidInput, UnknownPlan, UserExists


class AddUser:
    """Creates a user on a plan and issues their first API key; only its hash is kept.

    An existing user is refused (their plan and keys stay as they are). Should storing the key
    fail after the user was created, `RotateKey` issues one.
    """

    def __init__(
        self, administration: QuotaAdministration, keys: ApiKeys, issuer: KeyIssuer
    ) -> None:
        self._administration = administration
        self._keys = keys
        self._issuer = issuer

    async def execute(
        self, user_id: str, plan_name: str
    ) -> Result[IssuedKey, InvalidInput | UserExists | UnknownPlan]:
        """The new key, whose secret must be shown to the user now: it cannot be shown again."""
        problem = check_name("user id", user_id, USER_ID_LENGTH)
        if problem is not None:
            return Failure(problem)
        added = await self._administration.add_user(user_id, plan_name)
        if isinstance(added, Failure):
            return Failure(added.failure())
        issued = self._issuer.issue(user_id)
        await self._keys.add(issued.key)
        return Success(issued)
