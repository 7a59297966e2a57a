"""End to end through the real WaveSpeed adapter: a task the sandbox has not finished when our
deadline passes leaves the operation unknown, and the CLI (each command a fresh process) shows
what it holds and the task it waits on; `reconcile` says the same instead of "0 pending"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from imagestudio.adapters.sandbox.config import SandboxConfig
from imagestudio.adapters.sandbox.runner import RunningSandbox

if TYPE_CHECKING:
    from conftest import Cli

FLUX_DEV = 12_000  # micro-dollars per image (catalog)
EXIT_UNKNOWN_OUTCOME = 5


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    # Far longer than the test takes: the task is certainly still running at the provider.
    with RunningSandbox(SandboxConfig(latency_seconds=600)) as running:
        yield running


@pytest.fixture
def sandbox_cli(
    local_cli: Cli, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Cli:
    monkeypatch.setenv("IMAGESTUDIO_PROFILE", "sandbox")
    monkeypatch.setenv("IMAGESTUDIO_SANDBOX_URL", sandbox.base_url)
    monkeypatch.setenv("IMAGESTUDIO_DATA_DIR", str(tmp_path / "sandbox-data"))
    monkeypatch.setenv("IMAGESTUDIO_PROVIDER_DEADLINE_SECONDS", "0.5")
    return local_cli


def task_status(sandbox: RunningSandbox, task_id: str) -> str:
    key = next(iter(sandbox.state.config.api_keys))
    answer = httpx.get(
        f"{sandbox.base_url}/api/v3/predictions/{task_id}/result",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["data"]["status"])


def test_a_provider_that_outlasts_the_deadline_leaves_an_operation_in_sight(
    sandbox_cli: Cli, sandbox: RunningSandbox
) -> None:
    run = sandbox_cli.invoke(
        "generate", "a red kite", "--model", "wavespeed/flux-dev", "--size", "512x512"
    )
    assert run.exit_code == EXIT_UNKNOWN_OUTCOME, run.output

    [item] = sandbox_cli.json("operations", "list", "--unfinished")["items"]
    usage = {row["name"]: row["held"] for row in sandbox_cli.json("usage")["rows"]}
    report = sandbox_cli.json("reconcile")
    text = sandbox_cli.ok("reconcile")

    assert (item["status"], item["provider"]) == ("unknown", "wavespeed")
    assert item["held"] == {
        "category": "image-generation",
        "outputs": 1,
        "spend_micros": FLUX_DEV,
        "spend_usd": "$0.012",
        "concurrency": 1,
    }
    assert (usage["spend"], usage["image-generation"]) == (FLUX_DEV, 1)
    waiting: dict[str, Any] = item["waiting"]
    assert waiting["reason"] == "provider-task"
    [task_id] = waiting["task_ids"]
    assert task_status(sandbox, task_id) in ("created", "processing"), "the sandbox's own task"
    # Reconciliation asked the provider, found the task running, and says it will ask again.
    assert report["pending"] == [item["id"]]
    [after] = report["waiting"]
    assert after["waiting"]["reason"] == "provider-task"
    assert after["waiting"]["next_at"] > waiting["next_at"]
    assert after["waiting"]["until"] == waiting["until"]
    assert item["id"] in text and task_id in text and "$0.012 of spend" in text
    assert sandbox.state.book.billed("wavespeed") == ()
