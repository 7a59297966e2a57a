"""Two users: neither can spend, read or cancel anything of the other's, by any route."""

from __future__ import annotations

from pathlib import Path

from http_support import ADMIN, serving


def test_without_a_valid_key_nothing_is_served(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client() as anonymous:
        missing = anonymous.post("/v1/operations", json={"kind": "text-to-image", "prompt": "x"})
        wrong = anonymous.get("/v1/usage", headers={"Authorization": "Bearer isk_not-a-key"})
        admin_as_user = anonymous.get("/v1/usage", headers={"Authorization": f"Bearer {ADMIN}"})

    for response in (missing, wrong, admin_as_user):
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.headers["content-type"] == "application/problem+json"
    assert "isk_not-a-key" not in wrong.text


def test_a_user_cannot_touch_another_users_operations_assets_or_usage(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice, api.client("bob") as bob:
        made = alice.post(
            "/v1/operations", json={"kind": "text-to-image", "prompt": "alice's fox"}
        ).json()
        operation_id, asset_id = made["id"], made["assets"][0]["id"]

        read = bob.get(f"/v1/operations/{operation_id}")
        cancel = bob.post(f"/v1/operations/{operation_id}/cancel")
        download = bob.get(f"/v1/assets/{asset_id}")
        reuse = bob.post(
            "/v1/operations",
            json={"kind": "upscale", "images": [{"asset_id": asset_id}]},
        )
        bob_usage = bob.get("/v1/usage").json()
        alice_usage = alice.get("/v1/usage").json()
        own = alice.get(f"/v1/operations/{operation_id}")

    assert read.status_code == 404 and cancel.status_code == 404
    assert download.status_code == 404
    assert reuse.status_code == 404 and reuse.json()["type"] == "/problems/asset-not-found"
    assert "alice" not in read.text and "fox" not in read.text
    generations = {row["name"]: row["used"] for row in alice_usage["rows"]}
    assert generations["image-generation"] == 1
    assert {row["name"]: row["used"] for row in bob_usage["rows"]}["image-generation"] == 0
    assert bob_usage["user_id"] == "bob"
    assert own.status_code == 200


def test_one_users_spending_never_touches_anothers_quota(tmp_path: Path) -> None:
    users = {"fred": "free", "gail": "free"}
    with (
        serving(tmp_path, users=users) as api,
        api.client("fred") as fred,
        api.client("gail") as gail,
    ):
        spent = fred.post("/v1/operations", json={"kind": "text-to-image", "prompt": "x", "n": 10})
        refused = fred.post("/v1/operations", json={"kind": "text-to-image", "prompt": "y"})
        gails = gail.post("/v1/operations", json={"kind": "text-to-image", "prompt": "z"})

    assert spent.status_code == 200 and refused.status_code == 402
    assert gails.status_code == 200, gails.text


def test_admin_routes_need_the_admin_key(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice:
        as_user = alice.post("/v1/admin/users", json={"user_id": "eve", "plan": "pro"})

    assert as_user.status_code == 401


def test_the_asset_listing_pages_through_ones_own_assets_only(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice, api.client("bob") as bob:
        for prompt in ("one", "two", "three"):
            made = alice.post("/v1/operations", json={"kind": "text-to-image", "prompt": prompt})
            assert made.status_code == 200
        bob.post("/v1/operations", json={"kind": "text-to-image", "prompt": "bob's"})
        first = alice.get("/v1/assets", params={"limit": 2}).json()
        rest = alice.get("/v1/assets", params={"limit": 2, "cursor": first["next_cursor"]}).json()
        bobs = bob.get("/v1/assets").json()
        broken = alice.get("/v1/assets", params={"cursor": "not a cursor!"})

    assert len(first["items"]) == 2 and first["next_cursor"]
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    alice_ids = {item["id"] for item in first["items"] + rest["items"]}
    assert len(alice_ids) == 3
    assert len(bobs["items"]) == 1 and bobs["items"][0]["id"] not in alice_ids
    assert broken.status_code == 422 and broken.json()["field"] == "cursor"
