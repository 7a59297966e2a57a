"""The CLI's progress line says the events the HTTP event stream names, read the same way."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from imagestudio.entrypoints.api import GenerateRequest, ImageStudio, Profile
from imagestudio.entrypoints.cli.output import console
from imagestudio.entrypoints.cli.progress_line import run_showing

if TYPE_CHECKING:  # a type only: `conftest` is another module on another worker
    from conftest import Cli

QUICK = {"events_poll_seconds": 0.02, "offline_slow_seconds": 0.3}


async def test_the_line_follows_the_run_from_accepted_to_settled() -> None:
    studio = await ImageStudio.connect(profile=Profile.TEST, **QUICK)
    shown: list[str] = []
    work = studio.generate.execute(GenerateRequest(user_id="local", prompt="a kite [offline:slow]"))

    result = await run_showing(studio, work, shown.append, drain_seconds=5)

    operation = result.unwrap().operation
    [task] = operation.provider_task_ids
    assert shown == [
        f"accepted {operation.id}: its price is held",
        f"sent to offline as task {task}",
        "offline: rendering",
        "settled: succeeded, charged $0.00",
    ]


async def test_a_refused_request_shows_nothing_and_waits_for_nothing() -> None:
    studio = await ImageStudio.connect(profile=Profile.TEST, **QUICK)
    shown: list[str] = []
    work = studio.generate.execute(GenerateRequest(user_id="local", prompt="x", variations=99))

    result = await run_showing(studio, work, shown.append, drain_seconds=60)

    assert result.failure() and shown == []


def test_a_terminal_sees_the_events_while_the_provider_works(
    local_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Long enough for the live line to be drawn on a busy machine (it is waited, not worked).
    monkeypatch.setenv("IMAGESTUDIO_OFFLINE_SLOW_SECONDS", "2")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich draws its live line as on a terminal
    monkeypatch.setenv("COLUMNS", "160")
    # The process keeps one console, made by whichever test printed first: make this one's.
    console.cache_clear()
    try:
        shown = local_cli.ok("generate", "a kite [offline:slow]")
    finally:
        console.cache_clear()

    assert "generating: offline: rendering" in shown
    assert "charged" in shown  # and then the result
