"""A host application's studio over its life on a SQLite file: closed once or twice, used after
closing, used before starting; the books stay straight and the next studio on the file works.
Closed with its state in the process, it sends nothing and holds nothing."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from returns.result import Failure, Success

from imagestudio.domain.errors import ProviderFailed
from imagestudio.entrypoints.api import GenerateRequest, ImageStudio, Profile, Settings
from imagestudio.entrypoints.sync_api import SyncImageStudio

KITE = GenerateRequest(user_id="local", prompt="a kite", seed=3)
REAL_PROVIDERS = sorted(
    name.removesuffix("_api_key") for name in Settings.model_fields if name.endswith("_api_key")
)


def local(tmp_path: Path) -> dict[str, object]:
    return {"profile": Profile.LOCAL, "data_dir": tmp_path / "data", "signing_key": "k" * 32}


async def test_closing_twice_is_closing_once_and_a_closed_studio_says_so(tmp_path: Path) -> None:
    studio = await ImageStudio.connect(**local(tmp_path))
    assert isinstance(await studio.generate.execute(KITE), Success)

    await studio.aclose()
    await studio.aclose()  # a host's `finally` and its shutdown hook may both close it

    with pytest.raises(RuntimeError, match="closed"):
        await studio.generate.execute(KITE)
    again = await ImageStudio.connect(**local(tmp_path))
    operations = (await again.list_operations.execute("local")).unwrap().items
    assert [view.operation.status.value for view in operations] == ["succeeded"]
    assert [view.held for view in operations] == [None]
    await again.aclose()


async def test_a_closed_studio_reads_nothing_and_opens_no_connection(tmp_path: Path) -> None:
    """Reads after `aclose` opened a fresh pool behind the closed one: they answered, and left a
    driver thread and its connection open that nothing would ever close."""
    studio = await ImageStudio.connect(**local(tmp_path))
    await studio.aclose()
    before = set(threading.enumerate())

    reads = [
        studio.usage.execute("local"),
        studio.list_plans.execute(),
        studio.list_operations.execute("local"),
        studio.list_assets.execute("local"),
        studio.read_asset("ast_none"),
    ]
    for read in reads:
        with pytest.raises(RuntimeError, match="this ImageStudio is closed: build a new"):
            await read
    assert set(threading.enumerate()) <= before


async def test_a_call_before_start_does_not_stop_the_new_file_from_being_made(
    tmp_path: Path,
) -> None:
    studio = ImageStudio.open(**local(tmp_path))

    early = await studio.generate.execute(KITE)  # the host forgot `start`: SQLite made a file

    assert isinstance(early, Failure), early
    await studio.start()  # and the empty file it made is still a new database
    assert isinstance(await studio.generate.execute(KITE), Success)
    await studio.aclose()


async def test_a_closed_studio_cannot_be_started_again(tmp_path: Path) -> None:
    studio = await ImageStudio.connect(**local(tmp_path))
    await studio.aclose()

    # Its provider clients are closed for good: starting it again would half-work.
    with pytest.raises(RuntimeError, match="closed: build a new ImageStudio"):
        await studio.start()


@pytest.mark.parametrize("provider", REAL_PROVIDERS)
async def test_a_closed_studio_with_its_state_in_the_process_sends_nothing_and_holds_nothing(
    provider: str,
) -> None:
    """No database refuses it first: the closed client's RuntimeError came after the submit was
    reported as leaving, so a request that never left was held as an unknown outcome."""
    studio = await ImageStudio.connect(
        profile=Profile.TEST,
        offline_provider=False,
        **{f"{provider}_api_key": "sk-test", f"{provider}_base_url": "http://127.0.0.1:9"},
    )
    await studio.aclose()

    result = await studio.generate.execute(KITE)

    assert isinstance(result, Failure), result
    refusal = result.failure()
    assert isinstance(refusal, ProviderFailed), refusal
    assert refusal.provider == provider
    assert refusal.detail.startswith("nothing was sent"), refusal.detail
    usage = (await studio.usage.execute("local")).unwrap()
    assert [row.name for row in usage.rows if row.held] == []


@pytest.mark.parametrize("every", [-1, 0, float("nan")])
async def test_sweeping_every_no_time_at_all_is_refused(every: float) -> None:
    studio = await ImageStudio.connect(profile=Profile.TEST)

    # -1 slept no time between rounds: the sweeper spun, reading the database without a pause.
    with pytest.raises(ValueError, match="every"):
        await asyncio.wait_for(studio.keep_sweeping(every=every), 5)


def test_the_sync_facade_refuses_it_to_its_caller() -> None:
    with SyncImageStudio(profile=Profile.TEST) as studio, pytest.raises(ValueError, match="every"):
        studio.keep_sweeping(every=-1)


def test_a_closed_sync_facade_says_so_for_its_background_work_too() -> None:
    studio = SyncImageStudio(profile=Profile.TEST)
    studio.close()
    studio.close()

    # The loop is gone: these said only "Event loop is closed".
    for start in (studio.keep_sweeping, studio.keep_delivering_webhooks):
        with pytest.raises(RuntimeError, match="this SyncImageStudio is closed"):
            start()
    with pytest.raises(RuntimeError, match="this SyncImageStudio is closed"):
        studio.generate.execute(KITE)
