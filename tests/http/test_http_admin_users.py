"""`GET /v1/admin/users` over real HTTP: users by page with plan, keys and spend this period,
for the admin key only."""

from __future__ import annotations

from pathlib import Path

from http_support import serving

PROBLEM = "application/problem+json"


def test_the_admin_lists_users_by_page_with_keys_and_spend(tmp_path: Path) -> None:
    users = {"alice": "pro", "bob": "free", "carol": "pro"}
    with (
        serving(tmp_path, users=users, offline_price_usd="0.50") as api,
        api.admin() as admin,
        api.client("alice") as alice,
    ):
        made = alice.post("/v1/operations", json={"kind": "text-to-image", "prompt": "a fox"})
        assert made.status_code == 200, made.text
        assert admin.post("/v1/admin/users/bob/keys/rotate").status_code == 200

        first = admin.get("/v1/admin/users", params={"limit": 2})
        second = admin.get("/v1/admin/users", params={"after": first.json()["next_cursor"]})
        as_user = alice.get("/v1/admin/users")
        anonymous = api.client().get("/v1/admin/users")
        bad_limit = admin.get("/v1/admin/users", params={"limit": 500})

    assert first.status_code == 200, first.text
    page = first.json()["items"] + second.json()["items"]
    assert second.json()["next_cursor"] is None
    by_id = {user["user_id"]: user for user in page}
    assert [user["user_id"] for user in page] == sorted(by_id)
    assert set(users) <= set(by_id)
    alice_row, bob_row = by_id["alice"], by_id["bob"]
    assert (alice_row["plan"], alice_row["keys"], alice_row["live_keys"]) == ("pro", 1, 1)
    assert (alice_row["spend_micros"], alice_row["spend_usd"]) == (500_000, "$0.50")
    assert (bob_row["plan"], bob_row["keys"], bob_row["live_keys"]) == ("free", 2, 1)
    assert bob_row["spend_micros"] == 0 and bob_row["created_at"] is not None
    assert alice_row["period_start"] is not None
    for refused, status in ((as_user, 401), (anonymous, 401), (bad_limit, 400)):
        assert refused.status_code == status, refused.text
        assert refused.headers["content-type"].startswith(PROBLEM)
