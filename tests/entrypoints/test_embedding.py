"""A host application builds imagestudio with its own adapters, and calls it with or without an
event loop of its own."""

from __future__ import annotations

import asyncio
import logging
import threading
from decimal import Decimal

import pytest

from imagestudio.adapters.memory.asset_bytes import InMemoryAssetBytes
from imagestudio.entrypoints.adapter_overrides import ADAPTER_PORTS
from imagestudio.entrypoints.api import (
    Adjustment,
    GenerateRequest,
    ImageStudio,
    Profile,
    Settled,
)
from imagestudio.entrypoints.settings import SettingsError
from imagestudio.entrypoints.sync_api import (
    BlockingFollow,
    BlockingUseCase,
    BlockingWebhookSecrets,
    SyncImageStudio,
)

PRICED = {"profile": Profile.TEST, "offline_price_usd": Decimal("0.02")}


def kite(user: str = "local") -> GenerateRequest:
    return GenerateRequest(user_id=user, prompt="a kite", seed=3)


class NotifierWithoutNotify:
    async def tell(self, *_: object) -> None:
        return None


async def test_the_app_hears_every_line_the_use_cases_commit() -> None:
    heard: list[Settled] = []

    async def listen(settled: Settled) -> None:
        heard.append(settled)

    studio = await ImageStudio.connect(**PRICED)
    studio.on_settled(listen)

    done = (await studio.generate.execute(kite())).unwrap()
    refund = Adjustment(user_id="local", amount=-10_000, reason="blurry")
    (await studio.adjust_charge.execute(refund)).unwrap()

    assert [s.line.user_charge for s in heard if s.line] == [done.charged, -10_000]
    assert heard[0].operation == done.operation and heard[0].assets == done.assets
    assert heard[1].operation is None  # an adjustment belongs to no operation


async def test_a_plain_function_listens_as_well_as_a_coroutine_function(
    caplog: pytest.LogCaptureFixture,
) -> None:
    heard: list[Settled] = []
    studio = await ImageStudio.connect(**PRICED)
    studio.on_settled(heard.append)  # what a host without async code of its own passes

    done = (await studio.generate.execute(kite())).unwrap()

    assert [s.operation for s in heard] == [done.operation]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a_failing_listener_never_fails_the_operation() -> None:
    async def broken(_: Settled) -> None:
        raise ConnectionError("the app's books are down")

    studio = await ImageStudio.connect(**PRICED)
    studio.on_settled(broken)

    assert (await studio.generate.execute(kite())).unwrap().charged == 20_000


async def test_a_listener_hears_a_committed_settlement_though_its_caller_gave_up() -> None:
    # The host's books must hear every committed line: a caller timing out while a listener
    # worked cut the listener short, and the adjustment stood in the ledger, unheard.
    entered, go_on = asyncio.Event(), asyncio.Event()
    heard: list[Settled] = []

    async def slow(settled: Settled) -> None:
        entered.set()
        await go_on.wait()
        heard.append(settled)

    studio = await ImageStudio.connect(**PRICED)
    studio.on_settled(slow)
    refund = Adjustment(user_id="local", amount=10_000, reason="a correction")
    caller = asyncio.create_task(studio.adjust_charge.execute(refund))
    await entered.wait()

    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    go_on.set()
    for _ in range(100):
        if heard:
            break
        await asyncio.sleep(0.01)
    assert [s.line.user_charge for s in heard if s.line] == [10_000]


async def test_a_listener_raising_cancelled_error_of_its_own_is_a_failed_listener() -> None:
    heard: list[Settled] = []

    async def confused(_: Settled) -> None:
        raise asyncio.CancelledError  # awaited a task someone else cancelled

    studio = await ImageStudio.connect(**PRICED)
    studio.on_settled(confused)
    studio.on_settled(heard.append)

    done = (await studio.generate.execute(kite())).unwrap()

    assert [s.operation for s in heard] == [done.operation]


async def test_the_apps_asset_bytes_keep_the_outputs() -> None:
    content = InMemoryAssetBytes()
    studio = await ImageStudio.connect(profile=Profile.TEST, adapters={"asset_bytes": content})

    asset = (await studio.generate.execute(kite())).unwrap().assets[0]

    assert await content.get("local", asset.id, asset.media_type) is not None


@pytest.mark.parametrize("name", ["quota", "ledger", "operations", "idempotency", "asset_library"])
def test_a_store_of_the_money_paths_unit_of_work_cannot_be_replaced_alone(name: str) -> None:
    with pytest.raises(SettingsError, match=r"unit of work.*unit_of_work.*on_settled"):
        ImageStudio.open(profile=Profile.TEST, adapters={name: object()})


def test_an_adapter_name_we_do_not_have_is_refused_with_the_names_we_have() -> None:
    with pytest.raises(SettingsError, match=r"no adapter 'notifiers' to replace .*notifier"):
        ImageStudio.open(profile=Profile.TEST, adapters={"notifiers": NotifierWithoutNotify()})


def test_an_adapter_without_every_method_of_its_port_is_refused_when_built() -> None:
    with pytest.raises(SettingsError, match=r"NotifierWithoutNotify .* has no notify"):
        ImageStudio.open(profile=Profile.TEST, adapters={"notifier": NotifierWithoutNotify()})


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
        use_cases = {
            name for name in vars(studio.studio) if name != "container" and not name.startswith("_")
        }
        blocking = {
            name
            for name, value in vars(studio).items()
            if isinstance(value, BlockingUseCase | BlockingFollow | BlockingWebhookSecrets)
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


def test_the_sync_facade_takes_the_apps_adapters_and_listeners() -> None:
    content = InMemoryAssetBytes()
    heard: list[Settled] = []

    async def listen(settled: Settled) -> None:
        heard.append(settled)

    with SyncImageStudio(adapters={"asset_bytes": content}, **PRICED) as studio:
        studio.on_settled(listen)
        asset = studio.generate.execute(kite()).unwrap().assets[0]
    assert asyncio.run(content.get("local", asset.id, asset.media_type)) is not None
    assert len(heard) == 1


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
