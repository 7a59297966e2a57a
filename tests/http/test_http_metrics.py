"""`GET /metrics` over real HTTP: operations by kind/provider/outcome, provider latency, quota
refusals and requests by route template — and nothing that names a user or a prompt."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from http_support import serving
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from imagestudio.domain.errors import (
    OperationError,
    OperatorBudgetExhausted,
    QuotaExceeded,
    RateLimited,
)
from imagestudio.entrypoints.http.app import create_app
from imagestudio.entrypoints.http.metrics import refused_by
from imagestudio.entrypoints.settings import Profile, Settings

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
PROMPTS = (
    "a lighthouse",
    "a kite [offline:fail]",
    "a fox [offline:filter]",
    "a cat [offline:unknown]",
)


def samples(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def provider_of(outcome: str) -> str:
    """A refused request never became an operation, so no provider was chosen for it."""
    return "none" if outcome == "refused" else "offline"


def scrape_until(client: httpx.Client, ready: dict[str, float], seconds: float = 5.0) -> str:
    """The metrics once every expected operation outcome shows: failures are counted after the
    answer (the observer reads the stored operation first)."""
    until = time.monotonic() + seconds
    while True:
        response = client.get("/metrics")
        found = samples(response.text)
        counted = {
            outcome: value(
                found,
                "imagestudio_operations_finished_total",
                kind="text-to-image",
                provider=provider_of(outcome),
                outcome=outcome,
            )
            for outcome in ready
        }
        if counted == ready or time.monotonic() > until:
            return response.text
        time.sleep(0.05)


def test_metrics_count_outcomes_refusals_latency_and_routes(tmp_path: Path) -> None:
    users = {"alice": "pro", "fred": "free"}
    with (
        serving(tmp_path, users=users) as api,
        api.client("alice") as alice,
        api.client("fred") as fred,
        api.client() as scraper,
    ):
        answers = [
            alice.post("/v1/operations", json={"kind": "text-to-image", "prompt": prompt})
            for prompt in PROMPTS
        ]
        ten = fred.post(
            "/v1/operations", json={"kind": "text-to-image", "prompt": "boats", "n": 10}
        )
        over = fred.post("/v1/operations", json={"kind": "text-to-image", "prompt": "one more"})
        scraper.get("/v1/operations/op_nobody")
        scraper.get("/not/a/route/alice")
        scraper.request("BREW", "/healthz")
        expected = {"succeeded": 2.0, "failed": 1.0, "filtered": 1.0, "unknown": 1.0}
        text = scrape_until(scraper, {**expected, "refused": 1.0})
        response = scraper.get("/metrics")

    assert [answer.status_code for answer in answers] == [200, 503, 422, 504]
    assert (ten.status_code, over.status_code) == (200, 402)
    assert response.status_code == 200  # no API key needed
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    found = samples(text)
    for outcome, count in {**expected, "refused": 1.0}.items():
        assert (
            value(
                found,
                "imagestudio_operations_finished_total",
                kind="text-to-image",
                provider=provider_of(outcome),
                outcome=outcome,
            )
            == count
        ), outcome
    assert value(found, "imagestudio_quota_refusals_total", limit="calls") == 1
    # Every operation sent to the provider has a latency; the refused one never reached it.
    latency = value(found, "imagestudio_provider_call_seconds_count", provider="offline")
    assert latency == sum(expected.values())
    requests = "imagestudio_http_requests_total"
    route = "/v1/operations"
    assert value(found, requests, method="POST", route=route, status="200") == 2
    assert value(found, requests, method="POST", route=route, status="402") == 1
    assert value(found, requests, method="POST", route=route, status="503") == 1
    assert value(found, requests, method="GET", route=f"{route}/{{operation_id}}", status="401")
    assert value(found, requests, method="GET", route="unmatched", status="404") == 1
    assert value(found, requests, method="other", route="/healthz", status="405") == 1
    for private in (*users, *api.keys.values(), *PROMPTS, "boats", "op_nobody", "/not/a/route"):
        assert private not in text, private


def test_a_cancelled_operation_is_counted_by_how_it_was_settled(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice, api.client() as scraper:
        started = alice.post(
            "/v1/operations",
            json={"kind": "text-to-image", "prompt": "slow [offline:slow]"},
            headers={"Prefer": "respond-async"},
        ).json()
        time.sleep(0.05)
        settled = alice.post(f"/v1/operations/{started['id']}/cancel").json()["status"]
        text = scrape_until(scraper, {settled: 1.0})

    assert settled in ("cancelled", "unknown")
    assert (
        value(
            samples(text),
            "imagestudio_operations_finished_total",
            kind="text-to-image",
            provider="offline",
            outcome=settled,
        )
        == 1
    )


def test_each_app_has_its_own_registry_never_the_global_one(tmp_path: Path) -> None:
    settings = Settings(profile=Profile.TEST, data_dir=tmp_path)
    first, second = create_app(settings), create_app(settings)

    first.state.metrics.request_answered("GET", "/healthz", 200)

    name, labels = "imagestudio_http_requests_total", {"method": "GET", "route": "/healthz"}
    labels["status"] = "200"
    assert first.state.metrics.registry.get_sample_value(name, labels) == 1
    assert second.state.metrics.registry.get_sample_value(name, labels) is None
    assert REGISTRY.get_sample_value(name, labels) is None


AT = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("refusal", "limit"),
    [
        (
            QuotaExceeded(
                user_id="u",
                limit_name="calls:image-generation",
                used=10,
                held=0,
                limit=10,
                requested=1,
                resets_at=AT,
            ),
            "calls",
        ),
        (
            QuotaExceeded(
                user_id="u", limit_name="spend", used=9, held=0, limit=10, requested=2, resets_at=AT
            ),
            "spend",
        ),
        (
            RateLimited(
                user_id="u", limit_name="requests per minute", limit=10, retry_after_seconds=3
            ),
            "rate",
        ),
        (
            RateLimited(
                user_id="u", limit_name="concurrent operations", limit=1, retry_after_seconds=1
            ),
            "concurrency",
        ),
        (
            OperatorBudgetExhausted(
                provider="wavespeed", used=5, held=0, limit=5, requested=1, resets_at=AT
            ),
            "operator_budget",
        ),
    ],
)
def test_a_refusal_is_counted_under_its_kind_of_limit(refusal: OperationError, limit: str) -> None:
    assert refused_by(refusal) == limit


def test_openai_routes_count_their_operations_and_refusals(tmp_path: Path) -> None:
    """An image made through OpenAI's routes is an operation of this server like any other: a
    dashboard must not miss what those routes spend or refuse."""
    users = {"alice": "pro", "fred": "free"}
    with (
        serving(tmp_path, users=users) as api,
        api.client("alice") as alice,
        api.client("fred") as fred,
        api.client() as scraper,
    ):
        made = alice.post("/v1/images/generations", json={"prompt": "a lighthouse"})
        failed = alice.post("/v1/images/generations", json={"prompt": "a kite [offline:fail]"})
        ten = fred.post("/v1/images/generations", json={"prompt": "boats", "n": 10})
        over = fred.post("/v1/images/generations", json={"prompt": "one more"})
        text = scrape_until(scraper, {"succeeded": 2.0, "failed": 1.0, "refused": 1.0})

    assert [made.status_code, failed.status_code, ten.status_code, over.status_code] == [
        200,
        503,
        200,
        402,
    ]
    found = samples(text)
    finished = "imagestudio_operations_finished_total"
    for outcome, count in {"succeeded": 2.0, "failed": 1.0, "refused": 1.0}.items():
        labels = {"kind": "text-to-image", "provider": provider_of(outcome), "outcome": outcome}
        assert value(found, finished, **labels) == count, outcome
    assert value(found, "imagestudio_quota_refusals_total", limit="calls") == 1
    assert value(found, "imagestudio_provider_call_seconds_count", provider="offline") == 3
