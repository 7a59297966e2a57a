"""A 202's location says how the request ended, on every API process, also when `auto` fell
back to another provider.

Found by the soak (bench/soak.py): the location names the first attempt's operation, which was
settled `failed` while the request ran on at the next provider; only the process that ran the
fallback then answered its success. The first attempt now settles naming its follow-up
(`continued_by`, chosen before it settles) and readers follow it.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from imagestudio.adapters.sandbox.config import SandboxConfig
from imagestudio.adapters.sandbox.faults import Fault, Route
from imagestudio.adapters.sandbox.runner import RunningSandbox, ServedApp
from imagestudio.entrypoints.http.app import create_app
from imagestudio.entrypoints.settings import Profile, Settings

ADMIN = "admin-secret-for-the-fallback-test"
FINAL = ("succeeded", "failed", "cancelled", "abandoned")


def final_state(api: httpx.Client, location: str) -> dict[str, object]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        seen: dict[str, object] = api.get(location).json()
        if seen["status"] in FINAL:
            return seen
        time.sleep(0.1)
    raise AssertionError(f"{location} is not final after 30 s")


def test_the_location_of_a_request_that_fell_back_says_the_same_on_every_process(
    tmp_path: Path,
) -> None:
    with RunningSandbox(SandboxConfig(latency_seconds=0.05)) as sandbox:
        settings = Settings(
            profile=Profile.SANDBOX,
            data_dir=tmp_path,
            database_url=f"sqlite:///{tmp_path / 'shared.db'}",
            sandbox_url=sandbox.base_url,
            admin_key=ADMIN,
        )
        with (
            ServedApp(create_app(settings), lifespan="on", name="api-one") as one,
            ServedApp(create_app(settings), lifespan="on", name="api-two") as two,
        ):
            admin = {"Authorization": f"Bearer {ADMIN}"}
            made = httpx.post(
                f"{one.base_url}/v1/admin/users",
                json={"user_id": "alice", "plan": "pro"},
                headers=admin,
            )
            auth = {"Authorization": f"Bearer {made.json()['api_key']}"}
            sandbox.state.faults.add(Route.WAVESPEED_SUBMIT, Fault.HTTP_503)
            with (
                httpx.Client(base_url=one.base_url, headers=auth, timeout=30) as first,
                httpx.Client(base_url=two.base_url, headers=auth, timeout=30) as second,
            ):
                accepted = first.post(
                    "/v1/operations",
                    json={"kind": "text-to-image", "prompt": "a kite", "width": 256, "height": 256},
                    headers={"Prefer": "respond-async"},
                )
                assert accepted.status_code == 202, accepted.text
                location = accepted.headers["location"]
                here = final_state(first, location)
                there = second.get(location).json()

    assert here["status"] == "succeeded"  # the fallback ran at Stability and was charged
    assert (there["status"], there["id"]) == (here["status"], here["id"])
