"""The asset library over real HTTP: filters and search, pages that keep their filters, labels,
details with lineage, deletion, and one user never reaching another's assets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from http_support import migrated, serving

PROBLEM = "application/problem+json"


def generate(client: httpx.Client, prompt: str) -> dict[str, Any]:
    made = client.post("/v1/operations", json={"kind": "text-to-image", "prompt": prompt})
    assert made.status_code == 200, made.text
    asset: dict[str, Any] = made.json()["assets"][0]
    return asset


def upscale(client: httpx.Client, asset_id: str) -> dict[str, Any]:
    made = client.post(
        "/v1/operations", json={"kind": "upscale", "images": [{"asset_id": asset_id}]}
    )
    assert made.status_code == 200, made.text
    asset: dict[str, Any] = made.json()["assets"][0]
    return asset


def ids(client: httpx.Client, **params: Any) -> list[str]:
    listed = client.get("/v1/assets", params=params)
    assert listed.status_code == 200, listed.text
    return [item["id"] for item in listed.json()["items"]]


def label(client: httpx.Client, asset_id: str, **change: Any) -> dict[str, Any]:
    done = client.patch(f"/v1/assets/{asset_id}", json=change)
    assert done.status_code == 200, done.text
    body: dict[str, Any] = done.json()
    return body


def refused(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    return body


def test_a_listed_asset_shows_every_field_of_the_library(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice:
        fox = generate(alice, "a red fox")
        [item] = alice.get("/v1/assets").json()["items"]

    assert item["id"] == fox["id"] and item["url"].endswith(f"/v1/assets/{fox['id']}")
    assert item["kind"] == "text-to-image" and item["model"].startswith("offline/")
    assert item["prompt"] == "a red fox" and item["operation_id"].startswith("op_")
    assert item["cost_micros"] == 0 and item["cost_usd"] == "$0.00"
    assert item["tags"] == [] and item["collections"] == [] and item["favourite"] is False
    assert item["derived_from"] == [] and item["vertex_count"] is None
    assert {"media_type", "size_bytes", "width", "height", "created_at"} <= item.keys()


def test_every_filter_narrows_the_listing(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice:
        fox = generate(alice, "a red fox in snow")
        whale = generate(alice, "a blue whale")
        lighthouse = generate(alice, "Red lighthouse at dusk")
        bigger = upscale(alice, whale["id"])
        label(alice, fox["id"], add_tags=["animal", "winter"], favourite=True)
        label(alice, whale["id"], add_tags=["animal"], add_collections=["sea"])
        model = alice.get("/v1/assets").json()["items"][0]["model"]

        assert set(ids(alice, kind="upscale")) == {bigger["id"]}
        assert set(ids(alice, model=model)) == {bigger["id"]}
        assert set(ids(alice, tag="animal")) == {fox["id"], whale["id"]}
        assert set(ids(alice, collection="sea")) == {whale["id"]}
        assert set(ids(alice, favourite="true")) == {fox["id"]}
        assert fox["id"] not in ids(alice, favourite="false")
        assert set(ids(alice, q="red")) == {fox["id"], lighthouse["id"]}
        assert ids(alice, q="RED Fox") == [fox["id"]]
        assert ids(alice, q="red", tag="winter") == [fox["id"]]
        assert ids(alice, q="purple") == []


def test_dates_filter_by_day_from_midnight_utc_or_by_time(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice:
        first = generate(alice, "first")
        second = generate(alice, "second")
        at = datetime.fromisoformat(second["created_at"]).astimezone(UTC)
        day_after = (at + timedelta(days=1)).date().isoformat()
        bare = at.replace(tzinfo=None).isoformat()

        assert ids(alice, created_from=at.isoformat()) == [second["id"]]
        assert ids(alice, created_before=at.isoformat()) == [first["id"]]
        assert ids(alice, created_from=bare) == [second["id"]]  # no zone: UTC
        assert ids(alice, created_before=day_after) == [second["id"], first["id"]]
        assert ids(alice, created_from=day_after) == []
        wrong = refused(alice.get("/v1/assets", params={"created_from": "last tuesday"}), 422)
        edge = refused(
            alice.get("/v1/assets", params={"created_before": "0001-01-01T00:00:00+05:00"}), 422
        )

    assert wrong["field"] == "created_from" and edge["field"] == "created_before"


def test_a_cursor_continues_the_listing_with_the_same_filters(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice:
        made = [generate(alice, f"picture {n}") for n in range(7)]
        kept = [asset["id"] for asset in made[::2]]
        for asset_id in kept:
            label(alice, asset_id, add_tags=["keep"])
        seen: list[str] = []
        pages = 0
        cursor = None
        while True:
            params: dict[str, str | int] = {"tag": "keep", "limit": 2}
            if cursor is not None:
                params["cursor"] = cursor
            page = alice.get("/v1/assets", params=params).json()
            seen += [item["id"] for item in page["items"]]
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break

    assert seen == list(reversed(kept)) and pages == 2


def test_labels_are_added_removed_and_then_filtered_by(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice:
        fox = generate(alice, "a fox")
        added = label(
            alice, fox["id"], add_tags=["b", "a"], add_collections=["zoo"], favourite=True
        )
        removed = label(alice, fox["id"], remove_tags=["b"], remove_collections=["zoo"])
        unchanged = label(alice, fox["id"])
        by_tag = ids(alice, tag="a")
        by_old_tag = ids(alice, tag="b")
        unfavourite = label(alice, fox["id"], favourite=False)
        blank = refused(alice.patch(f"/v1/assets/{fox['id']}", json={"add_tags": [" a"]}), 422)
        unknown_field = refused(alice.patch(f"/v1/assets/{fox['id']}", json={"tag": "x"}), 400)

    assert (added["tags"], added["collections"], added["favourite"]) == (["a", "b"], ["zoo"], True)
    assert (removed["tags"], removed["collections"], removed["favourite"]) == (["a"], [], True)
    assert unchanged == removed
    assert by_tag == [fox["id"]] and by_old_tag == []
    assert unfavourite["favourite"] is False
    assert blank["field"] == "tags" and unknown_field["type"] == "/problems/bad-request"


def test_details_walk_the_lineage_of_an_edit_and_mark_a_deleted_ancestor(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice:
        original = generate(alice, "a castle")
        bigger = upscale(alice, original["id"])
        smaller = alice.post(
            "/v1/local/compress", json={"asset_id": bigger["id"], "quality": 50}
        ).json()["assets"][0]
        details = alice.get(f"/v1/assets/{smaller['id']}/details")
        alice.delete(f"/v1/assets/{original['id']}")
        after = alice.get(f"/v1/assets/{smaller['id']}/details").json()

    assert details.status_code == 200, details.text
    body = details.json()
    assert body["id"] == smaller["id"] and body["derived_from"] == [bigger["id"]]
    assert body["kind"] == "compress" and body["model"] == "local/compress"
    assert [(s["id"], s["depth"], s["deleted"], s["kind"]) for s in body["lineage"]] == [
        (bigger["id"], 1, False, "upscale"),
        (original["id"], 2, False, "text-to-image"),
    ]
    assert after["lineage"][1] == {
        "id": original["id"],
        "depth": 2,
        "deleted": True,
        "kind": None,
        "model": None,
    }


def test_a_deleted_asset_is_gone_from_every_route(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice:
        doomed = generate(alice, "a sandcastle")
        kept = generate(alice, "a mountain")
        deleted = alice.delete(f"/v1/assets/{doomed['id']}")
        answers = [
            alice.get(f"/v1/assets/{doomed['id']}"),
            alice.get(f"/v1/assets/{doomed['id']}/details"),
            alice.patch(f"/v1/assets/{doomed['id']}", json={"add_tags": ["x"]}),
            alice.delete(f"/v1/assets/{doomed['id']}"),
        ]
        listed = ids(alice)
        searched = ids(alice, q="sandcastle")

    assert deleted.status_code == 204 and deleted.content == b""
    assert {refused(answer, 404)["type"] for answer in answers} == {"/problems/asset-not-found"}
    assert listed == [kept["id"]] and searched == []


def test_another_users_asset_does_not_exist_for_them(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice, api.client("bob") as bob:
        secret = generate(alice, "alice's private lighthouse")
        label(alice, secret["id"], add_tags=["mine"])
        mine = generate(bob, "bob's own lighthouse")
        missing = f"{secret['id']}x"
        answers = {
            "bytes": bob.get(f"/v1/assets/{secret['id']}"),
            "details": bob.get(f"/v1/assets/{secret['id']}/details"),
            "patch": bob.patch(f"/v1/assets/{secret['id']}", json={"remove_tags": ["mine"]}),
            "delete": bob.delete(f"/v1/assets/{secret['id']}"),
            "operation": bob.post(
                "/v1/operations", json={"kind": "upscale", "images": [{"asset_id": secret["id"]}]}
            ),
            "local": bob.post("/v1/local/compress", json={"asset_id": secret["id"], "quality": 5}),
        }
        never_there = bob.get(f"/v1/assets/{missing}/details")
        bobs_listing = ids(bob) + ids(bob, q="lighthouse") + ids(bob, tag="mine")
        still = alice.get(f"/v1/assets/{secret['id']}/details").json()

    for name, answer in answers.items():
        body = refused(answer, 404)
        assert body["type"] == "/problems/asset-not-found", name
        assert "alice" not in answer.text and "private" not in answer.text, name
    # Not the owner and not there at all answer alike (only the id echoed differs).
    assert refused(never_there, 404).keys() == answers["details"].json().keys()
    assert bobs_listing == [mine["id"], mine["id"]]
    assert still["tags"] == ["mine"]


def test_the_library_answers_alike_on_a_database(database_url: str, tmp_path: Path) -> None:
    with (
        serving(tmp_path, **migrated(database_url, tmp_path)) as api,
        api.client("alice") as alice,
        api.client("bob") as bob,
    ):
        fox = generate(alice, "a red fox in snow")
        whale = generate(alice, "a blue whale")
        kite = generate(bob, "bob's red kite")
        label(alice, fox["id"], add_tags=["animal"], add_collections=["winter"], favourite=True)
        label(alice, whale["id"], add_tags=["animal"])
        at = datetime.fromisoformat(whale["created_at"])

        assert ids(alice, q="RED") == [fox["id"]]
        assert ids(alice, tag="animal") == [whale["id"], fox["id"]]
        assert ids(alice, tag="animal", limit=1, favourite="true") == [fox["id"]]
        assert ids(alice, collection="winter", kind="text-to-image") == [fox["id"]]
        assert ids(alice, created_before=at.isoformat()) == [fox["id"]]
        assert ids(bob, q="red") == [kite["id"]]
        assert alice.delete(f"/v1/assets/{fox['id']}").status_code == 204
        assert ids(alice, tag="animal") == [whale["id"]]
        # NUL, which PostgreSQL cannot hold, is refused in any URL before a route runs, and an
        # asset id holding one in a body is simply not an asset: never a database error.
        for answer in (
            alice.get("/v1/assets/x%00y/details"),
            alice.patch("/v1/assets/x%00y", json={"favourite": True}),
            alice.delete("/v1/assets/x%00y"),
            alice.get("/v1/assets", params={"model": "x\x00"}),
        ):
            assert refused(answer, 422)["type"] == "/problems/invalid-input/invalid"
        compress = alice.post("/v1/local/compress", json={"asset_id": "x\x00y", "quality": 5})
        assert refused(compress, 404)["type"] == "/problems/asset-not-found"
        edit = alice.post(
            "/v1/operations",
            json={"kind": "upscale", "images": [{"asset_id": "x\x00y"}]},
        )
        assert refused(edit, 404)["type"] == "/problems/asset-not-found"
        with api.admin() as admin:
            assert refused(admin.get("/v1/admin/users/x%00y/keys"), 422)["status"] == 422


def test_a_refused_long_tag_is_quoted_cut_not_whole(tmp_path: Path) -> None:
    long_tag = "t" * 100_000
    with serving(tmp_path) as api, api.client("alice") as alice:
        fox = generate(alice, "a red fox")
        answer = alice.patch(f"/v1/assets/{fox['id']}", json={"add_tags": [long_tag]})
        listed = alice.get("/v1/assets", params={"tag": "u" * 60 + " "})
        problem = refused(answer, 422)

    assert len(answer.content) < 2_000, answer.text[:300]
    assert problem["field"] == "tags" and "…" in problem["reason"]
    assert "must be at most" in problem["reason"] and "t" * 100 not in answer.text
    assert listed.status_code == 422 and len(listed.content) < 2_000
