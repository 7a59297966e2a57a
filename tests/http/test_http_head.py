"""HEAD is answered wherever GET is, on every GET route of the OpenAPI document (a new one is
covered without editing this file): the same status and headers, no body, nothing run twice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from http_support import ADMIN, Api, footprint, serving
from prometheus_client.parser import text_string_to_metric_families

from imagestudio.entrypoints.http.signed_urls import AssetLinks

SIGNING_KEY = "signing-key-for-the-head-requests-tests"
UNKNOWN = "nothing-here"
"""A path parameter this file has no real value for (a route added later): both answer 404."""
REQUIRED_QUERY = {"since": "2000-01-01"}
TIME_BOUND = {"date"}
"""Headers that may change between two answers a moment apart."""
COUNTS_THESE_REQUESTS = "/metrics"
"""Its body grows with each request answered, so its length differs between the two."""


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with serving(tmp_path_factory.mktemp("head"), signing_key=SIGNING_KEY) as served:
        yield served


def get_routes(document: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    return [
        (path, operations["get"].get("parameters", []))
        for path, operations in document["paths"].items()
        if "get" in operations
    ]


def filled(path: str, parameters: list[dict[str, Any]], values: dict[str, str]) -> str:
    for parameter in parameters:
        if parameter["in"] == "path":
            name = parameter["name"]
            path = path.replace(f"{{{name}}}", values.get(name, UNKNOWN))
    return path


def query(parameters: list[dict[str, Any]]) -> dict[str, str]:
    return {
        parameter["name"]: REQUIRED_QUERY.get(parameter["name"], "x")
        for parameter in parameters
        if parameter["in"] == "query" and parameter.get("required")
    }


def key(api: Api, path: str) -> str:
    return ADMIN if path.startswith("/v1/admin") else api.keys["alice"]


def comparable(template: str, headers: httpx.Headers) -> dict[str, str]:
    """The headers, the time-bound ones aside, with a signed link's remaining seconds rounded
    to the minute (a second may tick between the two answers)."""
    kept = {name: value for name, value in headers.items() if name not in TIME_BOUND}
    if template == COUNTS_THESE_REQUESTS:
        kept["content-length"] = "(present)" if "content-length" in kept else "(absent)"
    if "max-age=" in kept.get("cache-control", ""):
        kept["cache-control"] = re.sub(
            r"max-age=(\d+)",
            lambda age: f"max-age~{round(int(age.group(1)) / 60)}",
            kept["cache-control"],
        )
    return kept


def head_requests_counted(api: Api) -> dict[str, float]:
    with httpx.Client(base_url=api.base_url) as scraper:
        text = scraper.get("/metrics").text
    return {
        sample.labels["route"]: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "imagestudio_http_requests_total" and sample.labels["method"] == "HEAD"
    }


def test_every_get_route_answers_head_with_its_status_and_headers_and_no_body(
    api: Api,
) -> None:
    with api.client("alice") as alice:
        made = alice.post("/v1/operations", json={"kind": "text-to-image", "prompt": "a fox"})
        assert made.status_code == 200, made.text
        document = alice.get("/openapi.json").json()
    operation_id, asset_id = made.json()["id"], made.json()["assets"][0]["id"]
    links = AssetLinks(SIGNING_KEY.encode(), 3600)
    values = {
        "operation_id": operation_id,
        "asset_id": asset_id,
        "name": "pro",
        "user_id": "alice",
        "token": links.sign("alice", asset_id),
    }
    routes = get_routes(document)
    assert len(routes) > 20
    before = footprint(api, "alice")

    answered: dict[str, int] = {}
    with api.client() as client:
        for template, parameters in routes:
            path = filled(template, parameters, values)
            sent = {
                "params": query(parameters),
                "headers": {"Authorization": f"Bearer {key(api, template)}"},
            }
            head = client.head(path, **sent)
            got = client.get(path, **sent)
            assert head.status_code == got.status_code, (template, head.status_code, got.text)
            assert head.content == b"", template
            assert comparable(template, head.headers) == comparable(template, got.headers), template
            answered[template] = head.status_code

    # The real values reach the real answers, not only 404s.
    assert {answered[path] for path in ("/v1/operations/{operation_id}", "/v1/assets/{asset_id}")}
    assert all(status == 200 for template, status in answered.items() if "{" not in template)
    assert answered["/v1/signed-assets/{token}"] == 200
    # Each HEAD counted once, as a HEAD, and nothing charged or stored by any of them.
    assert head_requests_counted(api) == dict.fromkeys(answered, 1.0)
    assert footprint(api, "alice") == before


def test_head_on_the_event_stream_does_not_follow_it(api: Api) -> None:
    """A stream that has not ended (a slow operation's events) is not started for HEAD."""
    with api.client("alice") as alice:
        started = alice.post(
            "/v1/operations",
            json={"kind": "text-to-image", "prompt": "a kite [offline:slow]"},
            headers={"Prefer": "respond-async"},
        )
        assert started.status_code == 202, started.text
        head = alice.head(f"/v1/operations/{started.json()['id']}/events", timeout=5)
        alice.post(f"/v1/operations/{started.json()['id']}/cancel")

    assert head.status_code == 200
    assert head.headers["content-type"].startswith("text/event-stream")
    assert head.content == b""


def test_head_is_not_offered_where_get_is_not(api: Api) -> None:
    with api.client("alice") as alice:
        answer = alice.head("/v1/operations/op_x/cancel")

    assert answer.status_code == 405
