"""A host application builds imagestudio with its own adapters, and calls it with or without an
event loop of its own."""

from __future__ import annotations

import asyncio
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from imagestudio.adapters.memory.api_keys import InMemoryApiKeys
from imagestudio.adapters.memory.asset_bytes import InMemoryAssetBytes
from imagestudio.adapters.memory.asset_library import InMemoryAssetLibrary
from imagestudio.adapters.memory.ledger import InMemoryLedger
from imagestudio.adapters.memory.quota_store import InMemoryQuotaStore
from imagestudio.domain.errors import UnknownUser
from imagestudio.domain.reference_plans import REFERENCE_PLANS
from imagestudio.domain.usage_record import UsageRecord
from imagestudio.entrypoints.api import Adjustment, GenerateRequest, ImageStudio, Profile
from imagestudio.entrypoints.container import ADAPTER_PORTS
from imagestudio.entrypoints.settings import SettingsError
from imagestudio.entrypoints.sync_api import BlockingUseCase, SyncImageStudio

PRICED = {"profile": Profile.TEST, "offline_price_usd": Decimal("0.02")}


def kite(user: str = "local") -> GenerateRequest:
    return GenerateRequest(user_id=user, prompt="a kite", seed=3)


class LedgerWithoutExports:
    async def append(self, *_: object) -> None:
        return None

    async def for_user(self, *_: object) -> tuple[UsageRecord, ...]:
        return ()

    async def for_operation(self, *_: object) -> UsageRecord | None:
        return None


async def test_the_apps_ledger_takes_every_line_the_use_cases_write() -> None:
    ledger = InMemoryLedger()
    studio = await ImageStudio.connect(adapters={"ledger": ledger}, **PRICED)

    done = (await studio.generate.execute(kite())).unwrap()
    refund = Adjustment(user_id="local", amount=-10_000, reason="blurry")
    (await studio.adjust_charge.execute(refund)).unwrap()

    lines = await ledger.for_user("local")
    assert [line.user_charge for line in lines] == [done.charged, -10_000]


async def test_the_apps_asset_store_keeps_the_outputs() -> None:
    library, content = InMemoryAssetLibrary(), InMemoryAssetBytes()
    studio = await ImageStudio.connect(
        profile=Profile.TEST, adapters={"asset_library": library, "asset_bytes": content}
    )

    asset = (await studio.generate.execute(kite())).unwrap().assets[0]

    assert await library.get("local", asset.id) == asset
    assert await content.get("local", asset.id, asset.media_type) is not None


async def test_the_apps_user_store_decides_who_exists_and_on_which_plan() -> None:
    users = InMemoryQuotaStore(REFERENCE_PLANS, users={"carol": "free"})
    keys = InMemoryApiKeys()
    studio = await ImageStudio.connect(
        profile=Profile.TEST, adapters={"quota": users, "api_keys": keys}
    )

    assert (await studio.usage.execute("carol")).unwrap().plan == "free"
    assert isinstance((await studio.usage.execute("local")).failure(), UnknownUser)
    issued = (await studio.add_user.execute("dave", "pro")).unwrap()
    assert (await users.plan_of("dave")).unwrap().name == "pro"
    assert await keys.user_for_key(issued.key.key_hash) == "dave"


def test_an_adapter_name_we_do_not_have_is_refused_with_the_names_we_have() -> None:
    with pytest.raises(SettingsError, match=r"no adapter 'ledgers' to replace .*ledger"):
        ImageStudio.open(profile=Profile.TEST, adapters={"ledgers": InMemoryLedger()})


def test_an_adapter_without_every_method_of_its_port_is_refused_when_built() -> None:
    with pytest.raises(SettingsError, match=r"LedgerWithoutExports .* has no between"):
        ImageStudio.open(profile=Profile.TEST, adapters={"ledger": LedgerWithoutExports()})


def test_every_replaceable_adapter_is_a_provider_of_the_container() -> None:
    container = ImageStudio.open(profile=Profile.TEST).container
    assert all(hasattr(container, name) for name in ADAPTER_PORTS)


def test_the_sync_facade_runs_a_use_case_without_an_event_loop() -> None:
    with SyncImageStudio(**PRICED) as studio:
        done = studio.generate.execute(kite()).unwrap()
        usage = studio.usage.execute("local").unwrap()
    assert done.charged == 20_000
    assert next(row.used for row in usage.rows if row.is_money) == 20_000


def test_the_sync_facade_offers_every_use_case_of_the_async_api() -> None:
    with SyncImageStudio(profile=Profile.TEST) as studio:
        use_cases = {name for name in vars(studio.studio) if name != "container"}
        blocking = {
            name for name, value in vars(studio).items() if isinstance(value, BlockingUseCase)
        }
    assert blocking == use_cases


def test_the_sync_facade_keeps_one_loop_in_one_thread_for_its_whole_life() -> None:
    async def where() -> tuple[asyncio.AbstractEventLoop, threading.Thread]:
        return asyncio.get_running_loop(), threading.current_thread()

    with SyncImageStudio(profile=Profile.TEST) as studio:
        first = studio.call(where())
        studio.generate.execute(kite()).unwrap()
        second = studio.call(where())
    assert first == second
    assert first[1] is not threading.current_thread()


def test_the_sync_facade_takes_the_apps_adapters() -> None:
    ledger = InMemoryLedger()
    with SyncImageStudio(adapters={"ledger": ledger}, **PRICED) as studio:
        studio.generate.execute(kite()).unwrap()
    assert len(asyncio.run(ledger.for_user("local"))) == 1


def test_an_error_raised_on_the_loop_reaches_the_caller_and_the_facade_goes_on() -> None:
    async def broken() -> None:
        raise LookupError("nothing here")

    with SyncImageStudio(profile=Profile.TEST) as studio:
        with pytest.raises(LookupError, match="nothing here"):
            studio.call(broken())
        assert studio.generate.execute(kite()).unwrap().assets


def test_closing_stops_the_sweeper_and_the_thread_and_refuses_later_calls() -> None:
    studio = SyncImageStudio(profile=Profile.TEST)
    studio.keep_sweeping(every=0.01)
    loop_thread = studio.call(_current_thread())

    studio.close()
    studio.close()  # a second close does nothing

    assert not loop_thread.is_alive()
    with pytest.raises(RuntimeError, match="closed"):
        studio.usage.execute("local")


def test_a_facade_that_cannot_be_built_leaves_no_thread_behind() -> None:
    before = set(threading.enumerate())
    with pytest.raises(SettingsError):
        SyncImageStudio(profile=Profile.TEST, adapters={"nope": object()})
    assert set(threading.enumerate()) == before


async def _current_thread() -> threading.Thread:
    return threading.current_thread()


async def test_the_apps_user_store_works_on_a_database_profile_too(tmp_path: Path) -> None:
    users = InMemoryQuotaStore(REFERENCE_PLANS, users={"carol": "free"})
    studio = await ImageStudio.connect(
        profile=Profile.LOCAL, data_dir=tmp_path, adapters={"quota": users}
    )
    try:
        # The database keeps the ledger and operations; the plans and users are the app's.
        assert (await studio.usage.execute("carol")).unwrap().plan == "free"
        assert isinstance((await studio.usage.execute("local")).failure(), UnknownUser)
    finally:
        await studio.aclose()
