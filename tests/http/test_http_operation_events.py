"""`GET /v1/operations/{id}/events` over real HTTP on loopback: a run heard in order while it
works, resumed after `Last-Event-ID` without repeats, only by its owner, a failure's final
event, and an operation run by one app instance followed through another on the same database.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from http_support import Api, migrated, serving

from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.entrypoints.http.app import create_app
from imagestudio.entrypoints.settings import Settings

FAST = {"events_poll_seconds": 0.05, "events_heartbeat_seconds": 0.2, "offline_slow_seconds": 1.0}
"""The row read every 50 ms; a slow offline run takes a second, so it is seen while it works."""
SLOW_PROMPT = "a lighthouse at dusk [offline:slow]"


@dataclass
class Heard:
    events: list[dict[str, Any]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    status: int = 0

    @property
    def names(self) -> list[str]:
        return [event["event"] for event in self.events]

    def named(self, name: str) -> dict[str, Any]:
        (found,) = [event for event in self.events if event["event"] == name]
        return found


def listen(client: httpx.Client, operation_id: str, last_id: str | None = None) -> Heard:
    """Every event and comment of the stream until the server ends it."""
    headers = {} if last_id is None else {"Last-Event-ID": last_id}
    heard = Heard()
    url = f"/v1/operations/{operation_id}/events"
    with client.stream("GET", url, headers=headers, timeout=20) as response:
        heard.status = response.status_code
        if response.status_code != 200:
            response.read()
            return heard
        assert response.headers["content-type"].startswith("text/event-stream")
        event: dict[str, Any] = {}
        for line in response.iter_lines():
            if line.startswith(":"):
                heard.comments.append(line[1:].strip())
            elif line.startswith(("event: ", "id: ")):
                name, _, value = line.partition(": ")
                event[name] = value
            elif line.startswith("data: "):
                event["data"] = json.loads(line.removeprefix("data: "))
            elif not line and event:
                heard.events.append(event)
                event = {}
    return heard


def start(client: httpx.Client, prompt: str = SLOW_PROMPT) -> str:
    started = client.post(
        "/v1/operations",
        json={"kind": "text-to-image", "prompt": prompt},
        headers={"Prefer": "respond-async"},
    )
    assert started.status_code == 202, started.text
    return str(started.json()["id"])


def status_names(heard: Heard) -> list[str]:
    return [name for name in heard.names if name != "operation.progress"]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with serving(tmp_path_factory.mktemp("events"), **FAST) as served:
        yield served


@pytest.fixture(scope="module")
def heard_live(api: Api) -> tuple[str, Heard]:
    """One slow run, listened to from just after it was accepted until the stream ended."""
    with api.client("alice") as alice:
        operation_id = start(alice)
        return operation_id, listen(alice, operation_id)


def test_a_run_is_heard_in_order_while_it_works_and_the_stream_ends(
    api: Api, heard_live: tuple[str, Heard]
) -> None:
    operation_id, heard = heard_live
    with api.client("alice") as alice:
        stored = alice.get(f"/v1/operations/{operation_id}").json()

    assert status_names(heard) == ["operation.accepted", "operation.sent", "operation.settled"]
    ids = [event["id"] for event in heard.events if "id" in event]
    assert ids == sorted(ids, key=lambda text: tuple(int(part) for part in text.split(".")))
    assert len(set(ids)) == len(ids)
    sent = heard.named("operation.sent")["data"]
    assert sent["status"] == "submitted"  # read from the row while the provider worked
    assert sent["task_ids"] and sent["operation_id"] == operation_id
    settled = heard.named("operation.settled")["data"]
    assert settled["outcome"] == "succeeded" == stored["status"]
    assert settled["charged_micros"] == stored["charged_micros"]
    assert settled["asset_ids"] == [asset["id"] for asset in stored["assets"]]
    assert settled["error"] is None and settled["continued_by"] is None
    assert settled["task_ids"] == sent["task_ids"]
    assert "still waiting" in heard.comments  # a heartbeat while the provider worked
    progress = [event for event in heard.events if event["event"] == "operation.progress"]
    assert progress and all("id" not in event and event["data"]["detail"] for event in progress)


def test_last_event_id_resumes_after_what_was_heard_and_ids_never_change(
    api: Api, heard_live: tuple[str, Heard]
) -> None:
    operation_id, live = heard_live
    told = [event for event in live.events if "id" in event]
    with api.client("alice") as alice:
        again = listen(alice, operation_id)
        after_first = listen(alice, operation_id, told[0]["id"])
        after_all = listen(alice, operation_id, told[-1]["id"])

    # A settled operation tells its whole history at once, with the ids heard live, and ends.
    assert [(e["event"], e["id"]) for e in again.events] == [(e["event"], e["id"]) for e in told]
    assert [e["id"] for e in after_first.events] == [e["id"] for e in told[1:]]
    assert after_all.status == 204  # nothing more will ever come: an EventSource stops


def test_only_the_owner_may_listen_and_a_bad_resumption_id_is_refused(
    api: Api, heard_live: tuple[str, Heard]
) -> None:
    operation_id, _ = heard_live
    url = f"/v1/operations/{operation_id}/events"
    with api.client("bob") as bob, api.client() as nobody, api.client("alice") as alice:
        others = bob.get(url)
        missing = alice.get("/v1/operations/op_nothing_here/events")
        anonymous = nobody.get(url)
        garbled = alice.get(url, headers={"Last-Event-ID": "yesterday"})

    assert others.status_code == 404, others.text
    assert others.json()["type"] == missing.json()["type"]  # as if it did not exist
    assert missing.status_code == 404
    assert anonymous.status_code == 401
    assert garbled.status_code in (400, 422), garbled.text


def test_a_failed_operations_final_event_carries_the_failure(api: Api) -> None:
    with api.client("alice") as alice:
        operation_id = start(alice, "a kite [offline:fail]")
        heard = listen(alice, operation_id)

    assert status_names(heard) == ["operation.accepted", "operation.sent", "operation.settled"]
    settled = heard.named("operation.settled")["data"]
    assert settled["outcome"] == "failed"
    assert "simulated outage" in settled["error"]
    assert settled["charged_micros"] == 0 and settled["asset_ids"] == []


def test_a_listener_that_leaves_stops_the_polling(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="imagestudio.application.use_cases.follow_operation")
    with api.client("alice") as alice:
        operation_id = start(alice)
        with alice.stream("GET", f"/v1/operations/{operation_id}/events") as response:
            for line in response.iter_lines():
                if line.startswith("event: "):
                    break  # the first event heard: hang up while the provider still works
        stopped = f"stopped following {operation_id}"
        for _ in range(200):
            if any(stopped in record.getMessage() for record in caplog.records):
                break
            time.sleep(0.01)
        settled = alice.get(f"/v1/operations/{operation_id}").json()["status"]

    assert any(stopped in record.getMessage() for record in caplog.records)
    assert settled == "submitted"  # it stopped on the hang-up, not because the run ended


def test_an_operation_run_by_one_app_is_followed_through_another(
    database_url: str, tmp_path: Path
) -> None:
    chosen = migrated(database_url, tmp_path) | FAST
    with serving(tmp_path, **chosen) as runner:
        other = Settings(data_dir=tmp_path, **chosen)
        with ServedApp(create_app(other), lifespan="on", name="follower") as follower:
            with runner.client("alice") as alice:
                operation_id = start(alice)
            there = Api(follower.base_url, runner.keys)
            with there.client("alice") as alice_there, there.client("bob") as bob_there:
                heard = listen(alice_there, operation_id)
                refused = bob_there.get(f"/v1/operations/{operation_id}/events")

    # Only status changes cross processes: progress stays with the process running it.
    assert heard.names == ["operation.accepted", "operation.sent", "operation.settled"]
    assert heard.named("operation.sent")["data"]["status"] == "submitted"
    assert heard.named("operation.settled")["data"]["outcome"] == "succeeded"
    assert refused.status_code == 404
