"""While the server drains its jobs, every route that starts work refuses it with the one
`shutting-down` problem (503, retry elsewhere in a second), in the route's own error shape, and
nothing is started."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from http_support import ADMIN

from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.entrypoints.http.app import create_app
from imagestudio.entrypoints.settings import Profile, Settings


@pytest.fixture(scope="module")
def draining(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    data_dir: Path = tmp_path_factory.mktemp("draining")
    app = create_app(Settings(profile=Profile.TEST, data_dir=data_dir, admin_key=ADMIN))
    with ServedApp(app, lifespan="on", name="http-api") as served:
        with httpx.Client(
            base_url=served.base_url, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30
        ) as admin:
            made = admin.post("/v1/admin/users", json={"user_id": "alice", "plan": "pro"})
            assert made.status_code == 201, made.text
            key = made.json()["api_key"]
        app.state.imagestudio.jobs.accepting = False  # as `drain` leaves it
        with httpx.Client(
            base_url=served.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30
        ) as client:
            yield client


def test_an_operation_is_refused_as_a_problem(draining: httpx.Client) -> None:
    answer = draining.post("/v1/operations", json={"kind": "text-to-image", "prompt": "a fox"})
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "1"
    assert answer.json()["type"].endswith("/problems/shutting-down")
    listed = draining.get("/v1/operations").json()
    assert listed["items"] == []


def test_an_openai_generation_is_refused_in_openais_shape(draining: httpx.Client) -> None:
    answer = draining.post("/v1/images/generations", json={"prompt": "a fox"})
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "1"
    assert answer.json()["error"]["code"] == "shutting-down"
