"""A span of time given as a start and an end, on every route of the OpenAPI document that takes
one (a route added later is covered without editing this file): a reversed or empty span is the
same typed 422 everywhere, naming the end's field, never an empty 200."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from http_support import serving

SPANS = (("created_from", "created_before"), ("since", "until"))
"""The names a start and its end go by."""
LATER, EARLIER = "2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z"


def routes_with_spans(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(path, start, end) of each GET route taking both parameters of a span."""
    found = []
    for path, operations in document["paths"].items():
        names = {parameter["name"] for parameter in operations.get("get", {}).get("parameters", [])}
        found += [(path, start, end) for start, end in SPANS if {start, end} <= names]
    return found


def test_a_reversed_or_empty_span_is_the_exports_422_on_every_route(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice, api.admin() as admin:
        made = alice.post("/v1/operations", json={"kind": "text-to-image", "prompt": "a fox"})
        assert made.status_code == 200, made.text
        document = alice.get("/openapi.json").json()
        routes = routes_with_spans(document)
        answers = {}
        for path, start, end in routes:
            client = admin if path.startswith("/v1/admin") else alice
            for label, end_value in (("reversed", EARLIER), ("empty", LATER)):
                answers[path, label] = (
                    end,
                    client.get(path, params={start: LATER, end: end_value}),
                )
        # The same span the right way round is read (the listings find the operation).
        wide = {"created_from": EARLIER, "created_before": "2999-01-01T00:00:00Z"}
        listed = alice.get("/v1/operations", params=wide)

    listings = {path for path, start, _ in routes if start == "created_from"}
    assert {"/v1/operations", "/v1/assets"} <= listings
    assert {"/v1/usage/export", "/v1/admin/usage/export"} <= {path for path, _, _ in routes}
    types = set()
    for (path, label), (end, answer) in answers.items():
        assert answer.status_code == 422, (path, label, answer.text)
        problem = answer.json()
        assert problem["field"] == end, (path, problem)
        assert "is not after" in problem["reason"], (path, problem)
        types.add(problem["type"])
    exports = answers["/v1/usage/export", "reversed"][1].json()["type"]
    assert types == {exports}, types
    assert [item["id"] for item in listed.json()["items"]] == [made.json()["id"]]
