"""Image workers: work runs off the event loop, a bounded number at a time; in child processes,
work past the time limit is killed and refused, and a child that dies is a refusal too."""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import os
import time
from functools import partial
from pathlib import Path

import pytest
from image_work_samples import crash, die, echo, refuse, sleep_then_echo
from pillow_samples import encoded, photo_like
from returns.result import Failure

from imagestudio.adapters.images.image_workers import ProcessImageWorkers, ThreadImageWorkers
from imagestudio.adapters.images.pillow_processor import PillowImageProcessor
from imagestudio.application.ports.image_processor import CompressSpec
from imagestudio.application.ports.image_workers import ImageWorkers
from imagestudio.application.requests import ImageInput
from imagestudio.domain.errors import InputProblem
from imagestudio.entrypoints.api import ImageStudio

WORKERS: list[ImageWorkers] = [ThreadImageWorkers(workers=1), ProcessImageWorkers(1, 20)]


@pytest.mark.parametrize("workers", WORKERS, ids=["threads", "processes"])
async def test_work_answers_as_it_would_in_place(workers: ImageWorkers) -> None:
    done = (await workers.run(echo, b"bytes")).unwrap()
    refused = (await workers.run(refuse, b"four")).failure()

    assert done.data == b"bytes"
    assert refused.reason == "4 bytes refused"


async def test_processes_run_each_piece_in_a_child() -> None:
    done = (await ProcessImageWorkers(1, 20).run(echo, b"")).unwrap()

    assert done.width != os.getpid()


async def test_a_real_compress_runs_in_a_child() -> None:
    processor = PillowImageProcessor()
    work = partial(processor.compress, spec=CompressSpec(quality=50))
    data = encoded(photo_like(64, 48), "PNG")

    done = (await ProcessImageWorkers(1, 20).run(work, data)).unwrap()

    assert (done.width, done.height) == (64, 48)


@pytest.mark.parametrize("workers", WORKERS, ids=["threads", "processes"])
async def test_no_more_than_the_workers_run_at_once_and_the_loop_stays_free(
    workers: ImageWorkers,
) -> None:
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    spans = await asyncio.gather(*(workers.run(sleep_then_echo, b"0.3") for _ in range(3)))
    ticker.cancel()

    periods = sorted(tuple(map(float, done.unwrap().data.split())) for done in spans)
    for earlier, later in itertools.pairwise(periods):
        assert later[0] >= earlier[1]  # one worker: each starts after the one before ended
    assert ticks >= 10  # the event loop ran all along (0.9 s of work; blocked, it would not)


async def test_work_past_the_time_limit_is_killed_and_refused_as_too_large() -> None:
    workers = ProcessImageWorkers(1, 0.5)
    started = time.monotonic()

    refused = (await workers.run(sleep_then_echo, b"30")).failure()

    assert time.monotonic() - started < 10
    assert refused.problem is InputProblem.TOO_LARGE
    assert "IMAGESTUDIO_IMAGE_SECONDS" in refused.reason
    # The next piece gets the slot at once.
    assert (await workers.run(echo, b"next")).unwrap().data == b"next"


async def test_work_whose_caller_is_cancelled_is_stopped_at_once() -> None:
    """Ctrl-C during `imagestudio compress` took until the child's time limit (30 s by default)
    to exit: the child worked on, and the loop's exit waited for the thread waiting on it."""
    workers = ProcessImageWorkers(1, 60)
    piece = asyncio.create_task(workers.run(sleep_then_echo, b"30"))
    await asyncio.sleep(1)  # the child is at work
    children = multiprocessing.active_children()
    assert children
    started = time.monotonic()

    piece.cancel()
    with pytest.raises(asyncio.CancelledError):
        await piece
    await asyncio.wait_for(asyncio.to_thread(lambda: None), 5)  # the loop's threads are free

    assert time.monotonic() - started < 5
    for child in children:
        child.join(timeout=5)
        assert not child.is_alive()
    # The slot is free for the next piece.
    assert (await workers.run(echo, b"next")).unwrap().data == b"next"


async def test_a_child_that_dies_is_a_refusal() -> None:
    refused = await ProcessImageWorkers(1, 20).run(die, b"")

    assert isinstance(refused, Failure)
    assert refused.failure().field == "image"


async def test_work_that_raises_in_a_child_is_a_refusal_not_a_child_that_did_not_start() -> None:
    """A child ending without an answer and exit code 1 raised before the work (a script's main
    module run again there): that one is a RuntimeError, so the work's own errors are answered."""
    refused = await ProcessImageWorkers(1, 20).run(crash, b"")

    assert isinstance(refused, Failure)
    assert refused.failure().reason == "could not be processed here"


def test_workers_need_a_worker_and_some_time() -> None:
    with pytest.raises(ValueError, match="worker"):
        ProcessImageWorkers(0, 1)
    with pytest.raises(ValueError, match="time"):
        ProcessImageWorkers(1, 0)
    with pytest.raises(ValueError, match="worker"):
        ThreadImageWorkers(0)


async def test_a_host_may_keep_image_work_in_its_own_process(tmp_path: Path) -> None:
    studio = await ImageStudio.connect(
        profile="test", data_dir=tmp_path, adapters={"image_workers": ThreadImageWorkers(1)}
    )
    try:
        done = await studio.compress.execute(
            "local", ImageInput(data=encoded(photo_like(64, 48), "PNG")), CompressSpec(quality=40)
        )
    finally:
        await studio.aclose()

    assert done.unwrap().operation.status.value == "succeeded"
