"""The operator's storage upkeep and user erasure over real HTTP: sweep, gc (and where it is
refused), deleting a user (and when it is refused), the admin key guarding each; and the
problems of the two new domain errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from http_support import ADMIN, Api, serving
from sqlalchemy import String

from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.adapters.sql import tables
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.domain.errors import StorageQuotaExceeded, UserBusy
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.http.app import create_app
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.settings import Profile, Settings

PROBLEM = "application/problem+json"
ROUTES = [
    ("DELETE", "/v1/admin/users/alice", None),
    ("POST", "/v1/admin/storage/sweep", None),
    ("POST", "/v1/admin/storage/gc", {"dry_run": True}),
]


def refused(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    return body


def generate(client: httpx.Client, prompt: str = "a fox") -> httpx.Response:
    return client.post("/v1/operations", json={"kind": "text-to-image", "prompt": prompt})


BRIEF = {
    "spend_cap": "unlimited",
    "requests_per_minute": "unlimited",
    "concurrent_operations": 4,
    "retention_days": 30,
}


@contextmanager
def serving_at(tmp_path: Path, clock: FixedClock) -> Iterator[Api]:
    """The API on a clock the test moves, with alice on a plan keeping assets 30 days."""
    settings = Settings(profile=Profile.TEST, data_dir=tmp_path, admin_key=ADMIN)

    async def studio(chosen: Settings) -> ImageStudio:
        return await ImageStudio.connect(chosen, adapters={"clock": clock})

    with ServedApp(create_app(settings, studio), lifespan="on", name="http-clock") as served:
        api = Api(served.base_url, {})
        with api.admin() as admin:
            assert admin.put("/v1/admin/plans/brief", json=BRIEF).status_code == 201
            made = admin.post("/v1/admin/users", json={"user_id": "alice", "plan": "brief"})
            api.keys["alice"] = made.json()["api_key"]
        yield api


def test_the_sweep_deletes_what_is_past_its_plans_retention(tmp_path: Path) -> None:
    clock = FixedClock(datetime(2026, 3, 1, 12, tzinfo=UTC))
    with (
        serving_at(tmp_path, clock) as api,
        api.client("alice") as alice,
        api.admin() as admin,
    ):
        old = generate(alice, "an old fox").json()["assets"][0]
        clock.advance(timedelta(days=30, seconds=1))
        new = generate(alice, "a new fox").json()["assets"][0]
        swept = admin.post("/v1/admin/storage/sweep")
        listed = [item["id"] for item in alice.get("/v1/assets").json()["items"]]
        old_bytes = alice.get(f"/v1/assets/{old['id']}")
        usage = alice.get("/v1/usage").json()

    assert swept.status_code == 200, swept.text
    assert swept.json() == {
        "deleted": 1,
        "bytes_freed": old["size_bytes"],
        "owners_checked": 1,
        "owners_without_plan": [],
    }
    assert listed == [new["id"]] and old_bytes.status_code == 404
    assert usage["retention_days"] == 30
    assert {row["name"]: row["used"] for row in usage["rows"]}["storage"] == new["size_bytes"]


def test_gc_reports_and_by_default_removes_nothing_young(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice, api.admin() as admin:
        assert generate(alice).status_code == 200
        dry = admin.post("/v1/admin/storage/gc", json={"dry_run": True, "margin_seconds": 0})
        real = admin.post("/v1/admin/storage/gc")
        negative = admin.post("/v1/admin/storage/gc", json={"margin_seconds": -1})
        listed = alice.get("/v1/assets").json()["items"]

    assert dry.status_code == 200, dry.text
    assert dry.json() == {
        "dry_run": True,
        "orphans": [],
        "bytes_freed": 0,
        "young_orphans": 0,
        "missing": [],
    }
    assert real.status_code == 200 and real.json()["dry_run"] is False
    assert refused(negative, 400)["type"] == "/problems/bad-request"
    assert len(listed) == 1


def test_gc_runs_where_the_library_is_in_a_database(tmp_path: Path) -> None:
    with (
        serving(tmp_path, profile=Profile.LOCAL) as api,
        api.client("alice") as alice,
        api.admin() as admin,
    ):
        assert generate(alice).status_code == 200
        answer = admin.post("/v1/admin/storage/gc", json={"dry_run": True, "margin_seconds": 0})

    assert answer.status_code == 200, answer.text
    assert answer.json()["orphans"] == [] and answer.json()["missing"] == []


def test_gc_is_refused_when_the_library_is_in_memory_but_the_bytes_on_disk(
    tmp_path: Path,
) -> None:
    with serving(tmp_path, storage="local") as api, api.admin() as admin:
        answer = admin.post("/v1/admin/storage/gc", json={"dry_run": True})

    body = refused(answer, 409)
    assert body["type"] == "/problems/storage-gc-unavailable"
    assert "orphaned" in body["detail"] and answer.headers["x-should-retry"] == "false"


def test_a_deleted_user_can_no_longer_authenticate_and_their_assets_are_gone(
    tmp_path: Path,
) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice, api.admin() as admin:
        made = generate(alice)
        asset_id = made.json()["assets"][0]["id"]
        deleted = admin.delete("/v1/admin/users/alice")
        locked_out = alice.get("/v1/assets")
        again = admin.post("/v1/admin/users", json={"user_id": "alice", "plan": "pro"})
        with api.client() as anonymous:
            headers = {"Authorization": f"Bearer {again.json()['api_key']}"}
            new_listing = anonymous.get("/v1/assets", headers=headers).json()["items"]
            old_asset = anonymous.get(f"/v1/assets/{asset_id}", headers=headers)
        export = admin.get(
            "/v1/admin/usage/export", params={"since": "2000-01-01", "format": "json"}
        ).json()
        unknown = admin.delete("/v1/admin/users/nobody")

    assert deleted.status_code == 200, deleted.text
    body = deleted.json()
    assert body["user_id"] == "alice" and body["tombstone"].startswith("deleted")
    assert body["assets_deleted"] == 1
    assert body["bytes_freed"] == made.json()["assets"][0]["size_bytes"]
    assert body["keys_deleted"] == 1 and body["operations_deleted"] == 1
    assert body["ledger_lines_kept"] == 1
    assert refused(locked_out, 401)["type"] == "/problems/unauthorized"
    assert new_listing == [] and old_asset.status_code == 404
    assert [line["user_id"] for line in export] == [body["tombstone"]]
    assert refused(unknown, 404)["type"] == "/problems/unknown-user"


def test_a_user_with_an_unsettled_operation_is_not_deleted(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice, api.admin() as admin:
        unknown = generate(alice, "a fox [offline:unknown]")
        answer = admin.delete("/v1/admin/users/alice")
        still = alice.get("/v1/usage")

    assert unknown.status_code == 504, unknown.text
    body = refused(answer, 409)
    assert body["type"] == "/problems/user-busy"
    assert body["operation_ids"] == [unknown.json()["operation_id"]]
    assert still.status_code == 200


def test_the_storage_routes_need_the_admin_key(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice, api.client() as anonymous:
        as_user = [alice.request(m, path, json=body) for m, path, body in ROUTES]
        as_nobody = [anonymous.request(m, path, json=body) for m, path, body in ROUTES]
        still = alice.get("/v1/usage")

    assert {refused(answer, 401)["type"] for answer in as_user + as_nobody} == {
        "/problems/unauthorized"
    }
    assert still.status_code == 200


def test_the_storage_routes_are_off_without_an_admin_key(tmp_path: Path) -> None:
    settings = Settings(profile=Profile.TEST, data_dir=tmp_path, admin_key=None)
    with (
        ServedApp(create_app(settings), lifespan="on", name="http-no-admin") as served,
        httpx.Client(
            base_url=served.base_url, headers={"Authorization": f"Bearer {ADMIN}"}
        ) as client,
    ):
        answers = [client.request(m, path, json=body) for m, path, body in ROUTES]

    assert {refused(answer, 403)["type"] for answer in answers} == {"/problems/admin-disabled"}


@pytest.mark.parametrize(
    ("error", "status", "slug", "extra"),
    [
        (
            StorageQuotaExceeded(user_id="u", used=2048, limit=1024),
            402,
            "storage-quota-exceeded",
            {"limit_name": "storage", "used": 2048, "limit": 1024},
        ),
        (
            UserBusy(user_id="u", operation_ids=("op_1", "op_2")),
            409,
            "user-busy",
            {"operation_ids": ["op_1", "op_2"]},
        ),
    ],
)
def test_the_storage_errors_have_their_own_problem_types(
    error: object, status: int, slug: str, extra: dict[str, Any]
) -> None:
    problem = problem_for(error)

    assert (problem.status, problem.slug) == (status, slug)
    assert problem.extra == extra


def test_a_deleted_users_id_is_left_in_no_table_and_no_folder(tmp_path: Path) -> None:
    """Erasure keeps the ledger's lines under a tombstone so they cannot be traced to the
    person: every other row naming the user goes, in every table (the storage totals in
    `asset_owners` stayed)."""
    with (
        serving(tmp_path, profile=Profile.LOCAL) as api,
        api.client("alice") as alice,
        api.admin() as admin,
    ):
        assert generate(alice).status_code == 200
        assert admin.delete("/v1/admin/users/alice").status_code == 200

    database = sqlite3.connect(tmp_path / "imagestudio.db")
    naming = [
        (table.name, column.name)
        for table in tables.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, String)
        and database.execute(
            f'SELECT 1 FROM "{table.name}" WHERE "{column.name}" = ?', ("alice",)
        ).fetchone()
    ]
    database.close()
    assert naming == []
