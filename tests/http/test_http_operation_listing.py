"""`GET /v1/operations` and `GET /v1/operations/{id}` over real HTTP: what an unknown outcome
holds and waits for, filters, pages, refusals, and never another user's operations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
from http_support import serving

from imagestudio.application.page_cursors import place_text

PRICE = "0.04"


def run(client: httpx.Client, prompt: str) -> httpx.Response:
    return client.post("/v1/operations", json={"kind": "text-to-image", "prompt": prompt})


def listed(client: httpx.Client, **params: Any) -> dict[str, Any]:
    answer = client.get("/v1/operations", params=params)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def ids(page: dict[str, Any]) -> list[str]:
    return [item["id"] for item in page["items"]]


def test_an_unknown_outcome_is_listed_with_what_it_holds_and_waits_for(tmp_path: Path) -> None:
    with (
        serving(tmp_path, offline_price_usd=PRICE) as api,
        api.client("alice") as alice,
    ):
        lost = run(alice, "a kite [offline:lost]")
        unconfirmed = run(alice, "a boat [offline:unknown]")
        done = run(alice, "a lighthouse")
        page = listed(alice)
        one = alice.get(f"/v1/operations/{lost.json()['operation_id']}")
        usage = alice.get("/v1/usage").json()

    assert (lost.status_code, unconfirmed.status_code, done.status_code) == (504, 504, 200)
    lost_id = lost.json()["operation_id"]
    unconfirmed_id = unconfirmed.json()["operation_id"]
    assert ids(page) == [done.json()["id"], unconfirmed_id, lost_id]
    finished, never_confirmed, with_task = page["items"]
    assert (finished["status"], finished["held"], finished["waiting"]) == ("succeeded", None, None)
    assert finished["charged_usd"] == "$0.04"
    for item in (with_task, never_confirmed):
        assert item["status"] == "unknown"
        assert item["charged_micros"] == 0
        assert item["held"] == {
            "category": "image-generation",
            "outputs": 1,
            "spend_micros": 40_000,
            "spend_usd": "$0.04",
            "concurrency": 1,
        }
    waiting = with_task["waiting"]
    assert waiting["reason"] == "provider-task"
    assert len(waiting["task_ids"]) == 1 and waiting["task_ids"][0] in waiting["detail"]
    assert parsed(waiting["until"]) - parsed(with_task["updated_at"]) == timedelta(hours=24)
    assert never_confirmed["waiting"]["reason"] == "unconfirmed"
    assert never_confirmed["waiting"]["task_ids"] == []
    assert parsed(never_confirmed["waiting"]["until"]) - parsed(
        never_confirmed["updated_at"]
    ) == timedelta(seconds=1800)
    # One operation read alone says the same, with its assets.
    assert one.status_code == 200
    assert {k: one.json()[k] for k in ("held", "waiting")} == {
        k: with_task[k] for k in ("held", "waiting")
    }
    # And usage holds exactly what the two unknown operations hold.
    held = {row["name"]: row["held"] for row in usage["rows"]}
    assert (held["spend"], held["image-generation"], held["concurrency"]) == ("$0.08", 2, 2)


def parsed(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


def test_filters_and_pages(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice:
        unknown = run(alice, "a kite [offline:lost]").json()["operation_id"]
        made = [run(alice, f"picture {n}").json()["id"] for n in range(3)]
        unfinished = listed(alice, unfinished="true")
        by_status = listed(alice, status=["unknown", "failed"])
        succeeded_only = listed(alice, status="succeeded", unfinished="true")
        upscales = listed(alice, kind="upscale")
        future = listed(alice, created_from=(datetime.now(UTC) + timedelta(days=1)).isoformat())
        past = listed(alice, created_before="2000-01-01")
        first = listed(alice, limit=2)
        rest = listed(alice, limit=2, cursor=first["next_cursor"])

    assert ids(unfinished) == [unknown]
    assert ids(by_status) == [unknown]
    assert ids(succeeded_only) == []
    assert ids(upscales) == []
    assert ids(future) == [] and ids(past) == []
    assert ids(first) + ids(rest) == [*made[::-1], unknown]
    assert rest["next_cursor"] is None


def test_another_users_operations_are_never_visible(tmp_path: Path) -> None:
    with (
        serving(tmp_path) as api,
        api.client("alice") as alice,
        api.client("bob") as bob,
        api.client() as nobody,
    ):
        alices = run(alice, "alice's fox [offline:lost]").json()["operation_id"]
        bobs = run(bob, "bob's owl").json()["id"]
        bob_sees = listed(bob)
        bob_filtered = listed(bob, status="unknown")
        bob_reads = bob.get(f"/v1/operations/{alices}")
        alice_sees = listed(alice)
        anonymous = nobody.get("/v1/operations")

    assert ids(bob_sees) == [bobs]
    assert ids(bob_filtered) == []
    assert ids(alice_sees) == [alices]
    assert bob_reads.status_code == 404
    assert bob_reads.json()["type"] == "/problems/operation-not-found"
    assert "fox" not in bob_reads.text and "alice" not in bob_reads.text
    assert anonymous.status_code == 401


def test_bad_filters_are_refused_naming_the_field_and_cost_nothing(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice:
        answers = {
            "cursor": alice.get("/v1/operations", params={"cursor": "bm90IGEgY3Vyc29y"}),
            "status": alice.get("/v1/operations", params={"status": "sleeping"}),
            "kind": alice.get("/v1/operations", params={"kind": "painting"}),
            "created_from": alice.get("/v1/operations", params={"created_from": "yesterday"}),
            "limit": alice.get("/v1/operations", params={"limit": 0}),
        }
        # A time no UTC time can hold, in a cursor or a filter: refused, never a 500.
        edge = place_text(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))), "op_1")
        at_the_edge = [
            alice.get(path, params=params)
            for path in ("/v1/operations", "/v1/assets")
            for params in ({"cursor": edge}, {"created_from": "0001-01-01T00:00:00+05:00"})
        ]
        usage = alice.get("/v1/usage").json()

    assert [answer.status_code for answer in at_the_edge] == [422] * 4, [
        answer.text for answer in at_the_edge
    ]
    for field, answer in answers.items():
        assert 400 <= answer.status_code < 500, (field, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert field in answer.text, (field, answer.text)
    assert all(row["used"] in (0, "$0.00") and row["held"] in (0, "$0.00") for row in usage["rows"])


def test_the_schema_describes_the_listing(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client() as client:
        schema = client.get("/openapi.json").json()

    listing = schema["paths"]["/v1/operations"]["get"]
    parameters = {parameter["name"] for parameter in listing["parameters"]}
    assert {"status", "unfinished", "kind", "created_from", "created_before", "cursor"} <= (
        parameters
    )
    item = schema["components"]["schemas"]["OperationItemOut"]["properties"]
    assert {"held", "waiting", "status", "charged_micros"} <= set(item)
