"""GET /v1/admin/audit/provider over real HTTP, on the sandbox profile against a live sandbox:
the admin's report (and its refusals), and nobody else's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from http_support import Api, serving

from imagestudio.adapters.sandbox.billing import BilledTask
from imagestudio.adapters.sandbox.config import SandboxConfig
from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.entrypoints.settings import Profile

ROUTE = "/v1/admin/audit/provider"
PROBLEM = "application/problem+json"


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with RunningSandbox(SandboxConfig(latency_seconds=0.05)) as running:
        yield running


@pytest.fixture
def api(tmp_path: Path, sandbox: RunningSandbox) -> Iterator[Api]:
    with serving(tmp_path, profile=Profile.SANDBOX, sandbox_url=sandbox.base_url) as served:
        yield served


def since() -> str:
    return (datetime.now(UTC) - timedelta(minutes=1)).isoformat()


def test_the_admin_gets_the_report_of_every_provider_and_each_difference(
    api: Api, sandbox: RunningSandbox
) -> None:
    with api.client("alice") as alice, api.admin() as admin:
        ran = alice.post(
            "/v1/operations",
            json={"kind": "text-to-image", "model": "wavespeed/flux-dev", "prompt": "a kite"},
        )
        assert ran.status_code == 200, ran.text
        clean = admin.get(ROUTE, params={"since": since()})
        sandbox.state.book.charge(
            BilledTask("wavespeed", "e" * 32, "wavespeed-ai/flux-dev", Decimal("0.012"))
        )
        tampered = admin.get(ROUTE, params={"since": since(), "provider": "wavespeed"})

    assert clean.status_code == 200, clean.text
    report = clean.json()
    assert report["differences"] == 0
    methods = {p["provider"]: (p["method"], p["matched_by_id"]) for p in report["providers"]}
    assert methods == {"wavespeed": ("tasks", 1), "stability": ("tasks", 0)}
    assert tampered.status_code == 200, tampered.text
    [wavespeed] = tampered.json()["providers"]
    [difference] = wavespeed["differences"]
    assert (difference["kind"], difference["task_ids"], difference["billed_usd"]) == (
        "billed_not_recorded",
        ["e" * 32],
        "$0.012",
    )
    assert difference["action"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"since": "yesterday"},
        {"since": "2026-03-02", "until": "2026-03-01"},
        {"since": "2026-03-01", "provider": "offline"},
        {"since": "2026-03-01", "opening_balance": "wavespeed"},
        {"since": "2026-03-01", "opening_balance": "wavespeed=lots"},
        {"since": "0001-01-01"},
        {"since": "2026-03-01", "until": "9999-12-31"},
    ],
)
def test_a_bad_request_is_a_4xx_problem(api: Api, params: dict[str, str]) -> None:
    with api.admin() as admin:
        answer = admin.get(ROUTE, params=params)

    assert 400 <= answer.status_code < 500, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize("who", ["alice", None])
def test_only_the_admin_may_audit(api: Api, who: str | None) -> None:
    with api.client(who) as client:
        answer = client.get(ROUTE, params={"since": "2026-03-01"})

    assert answer.status_code in (401, 403), answer.text
    assert "providers" not in answer.text
