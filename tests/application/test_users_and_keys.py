"""Users and API keys: a key is shown once, kept as a hash, and works until revoked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from fakes import NOW, text_to_image
from returns.result import Failure, Success

from imagestudio.adapters.memory.api_keys import InMemoryApiKeys
from imagestudio.adapters.memory.quota_store import InMemoryQuotaStore
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.adapters.system.ids import SequentialIdGenerator
from imagestudio.adapters.system.keys import CountingKeyGenerator
from imagestudio.application.key_issuing import KeyIssuer
from imagestudio.application.use_cases.add_user import AddUser
from imagestudio.application.use_cases.authenticate import Authenticate
from imagestudio.application.use_cases.change_plan import ChangePlan
from imagestudio.application.use_cases.list_keys import ListKeys
from imagestudio.application.use_cases.revoke_key import RevokeKey
from imagestudio.application.use_cases.rotate_key import RotateKey
from imagestudio.domain.api_key import ApiKey, key_hash
from imagestudio.domain.errors import (
    AmbiguousApiKey,
    InvalidInput,
    UnknownApiKey,
    UnknownPlan,
    UnknownUser,
    UserExists,
)
from imagestudio.domain.reference_plans import REFERENCE_PLANS

if TYPE_CHECKING:
    from conftest import Studio


@dataclass(slots=True)
class Accounts:
    quota: InMemoryQuotaStore
    keys: InMemoryApiKeys
    clock: FixedClock
    issuer: KeyIssuer = field(init=False)

    def __post_init__(self) -> None:
        self.issuer = KeyIssuer(
            generator=CountingKeyGenerator(), ids=SequentialIdGenerator(), clock=self.clock
        )

    @property
    def add_user(self) -> AddUser:
        return AddUser(self.quota, self.keys, self.issuer)

    @property
    def change_plan(self) -> ChangePlan:
        return ChangePlan(self.quota, self.quota)

    @property
    def rotate(self) -> RotateKey:
        return RotateKey(self.quota, self.keys, self.issuer)

    @property
    def revoke(self) -> RevokeKey:
        return RevokeKey(self.keys, self.clock)

    @property
    def authenticate(self) -> Authenticate:
        return Authenticate(self.keys)

    async def new_user(self, user_id: str = "alice", plan: str = "pro") -> str:
        """The new user's key."""
        return (await self.add_user.execute(user_id, plan)).unwrap().secret

    async def user_of(self, secret: str) -> str | None:
        found = await self.authenticate.execute(secret)
        return found.unwrap() if isinstance(found, Success) else None


@pytest.fixture
def accounts() -> Accounts:
    return Accounts(InMemoryQuotaStore(REFERENCE_PLANS), InMemoryApiKeys(), FixedClock(NOW))


async def test_a_new_user_is_on_their_plan_and_their_key_authenticates_them(
    accounts: Accounts,
) -> None:
    secret = await accounts.new_user("alice", "pro")

    assert (await accounts.quota.plan_of("alice")).unwrap().name == "pro"
    assert await accounts.user_of(secret) == "alice"


async def test_only_the_hash_and_a_short_prefix_of_a_key_are_stored(accounts: Accounts) -> None:
    secret = await accounts.new_user()

    (stored,) = await accounts.keys.keys_of("alice")
    assert stored.key_hash == key_hash(secret) != secret
    assert secret.startswith(stored.prefix) and len(stored.prefix) < len(secret) // 2
    assert secret not in repr(stored)


async def test_adding_a_user_who_exists_is_refused_and_changes_nothing(
    accounts: Accounts,
) -> None:
    await accounts.new_user("alice", "pro")

    assert await accounts.add_user.execute("alice", "free") == Failure(UserExists("alice"))
    assert (await accounts.quota.plan_of("alice")).unwrap().name == "pro"
    assert len(await accounts.keys.keys_of("alice")) == 1


async def test_adding_a_user_on_an_unknown_plan_is_refused_and_creates_nobody(
    accounts: Accounts,
) -> None:
    assert await accounts.add_user.execute("alice", "gold") == Failure(UnknownPlan("gold"))
    assert await accounts.quota.plan_of("alice") == Failure(UnknownUser("alice"))


async def test_a_user_id_that_cannot_name_a_folder_is_refused(accounts: Accounts) -> None:
    result = await accounts.add_user.execute("../etc", "pro")

    assert isinstance(result, Failure)
    assert isinstance(result.failure(), InvalidInput)


async def test_changing_plan_takes_effect_now_and_keeps_what_was_used(studio: Studio) -> None:
    assert isinstance(await studio.run.execute(text_to_image("fred")), Success)  # on free

    changed = await ChangePlan(studio.quota, studio.quota).execute("fred", "basic")

    assert changed.unwrap().name == "basic"
    usage = (await studio.usage.execute("fred")).unwrap()
    row = next(row for row in usage.rows if row.name == "image-generation")
    assert (usage.plan, row.used, row.limit.maximum) == ("basic", 1, 25)


async def test_changing_the_plan_of_an_unknown_user_is_refused(accounts: Accounts) -> None:
    assert await accounts.change_plan.execute("nobody", "pro") == Failure(UnknownUser("nobody"))
    assert await accounts.quota.plan_of("nobody") == Failure(UnknownUser("nobody"))


async def test_changing_to_an_unknown_plan_is_refused(accounts: Accounts) -> None:
    await accounts.new_user("alice", "pro")

    assert await accounts.change_plan.execute("alice", "gold") == Failure(UnknownPlan("gold"))
    assert (await accounts.quota.plan_of("alice")).unwrap().name == "pro"


async def test_rotating_revokes_the_old_keys_and_the_new_one_works(accounts: Accounts) -> None:
    old = await accounts.new_user("alice")

    rotated = (await accounts.rotate.execute("alice")).unwrap()

    assert [key.id for key in rotated.revoked] == [
        key.id for key in (await accounts.keys.keys_of("alice"))[:1]
    ]
    assert await accounts.user_of(old) is None
    assert await accounts.user_of(rotated.issued.secret) == "alice"


async def test_rotating_the_key_of_an_unknown_user_is_refused(accounts: Accounts) -> None:
    assert await accounts.rotate.execute("nobody") == Failure(UnknownUser("nobody"))
    assert await accounts.keys.keys_of("nobody") == ()


@pytest.mark.parametrize("named_by", ["key", "id", "prefix"])
async def test_a_key_is_revoked_by_itself_its_id_or_its_prefix(
    accounts: Accounts, named_by: str
) -> None:
    secret = await accounts.new_user("alice")
    (stored,) = await accounts.keys.keys_of("alice")
    reference = {"key": secret, "id": stored.id, "prefix": stored.prefix}[named_by]

    revoked = (await accounts.revoke.execute(reference)).unwrap()

    assert (revoked.id, revoked.revoked_at) == (stored.id, NOW)
    assert await accounts.user_of(secret) is None


async def test_revoking_one_key_leaves_other_users_keys_working(accounts: Accounts) -> None:
    alice = await accounts.new_user("alice")
    bob = await accounts.new_user("bob")

    await accounts.revoke.execute(alice)

    assert await accounts.user_of(bob) == "bob"


async def test_an_unknown_key_is_refused_without_echoing_it(accounts: Accounts) -> None:
    secret = "isk_" + "x" * 43

    result = await accounts.revoke.execute(secret)

    assert isinstance(result, Failure)
    assert isinstance(result.failure(), UnknownApiKey)
    assert secret not in result.failure().message


@pytest.mark.parametrize("secret", [None, b"isk_bytes", 5])
async def test_no_key_at_all_is_an_unknown_key(accounts: Accounts, secret: Any) -> None:
    # What a host passes when the request had no header: `headers.get("authorization")`.
    result = await accounts.authenticate.execute(secret)

    assert isinstance(result, Failure) and isinstance(result.failure(), UnknownApiKey), result


async def test_a_prefix_two_keys_share_is_refused_naming_their_ids(accounts: Accounts) -> None:
    await accounts.new_user("alice")
    for key_id in ("key_a", "key_b"):
        await accounts.keys.add(
            ApiKey(id=key_id, user_id="alice", key_hash=key_id, prefix="isk_same", created_at=NOW)
        )

    result = await accounts.revoke.execute("isk_same")

    assert result == Failure(AmbiguousApiKey("isk_same", ("key_a", "key_b")))


async def test_revoking_a_revoked_key_keeps_its_first_revocation(accounts: Accounts) -> None:
    secret = await accounts.new_user("alice")
    await accounts.revoke.execute(secret)
    accounts.clock.set(NOW.replace(year=2027))

    again = (await accounts.revoke.execute(secret)).unwrap()

    assert again.revoked_at == NOW


async def test_listing_keys_shows_live_and_revoked_ones_oldest_first(accounts: Accounts) -> None:
    await accounts.new_user("alice")
    await accounts.rotate.execute("alice")

    keys = (await ListKeys(accounts.quota, accounts.keys).execute("alice")).unwrap()

    assert [key.is_live for key in keys] == [False, True]
