"""Every route that takes a seed refuses one past what every provider takes (2**31 - 1,
WaveSpeed's largest; domain/seed.py) with a typed 400 or 422 naming the field, before anything
is reserved: seeds were bounded at 4,294,967,294 here (and not at all on the CLI), so a request
WaveSpeed would refuse was reserved and sent. The routes are found from the OpenAPI schema, so
one added later is held to the same bound."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from http_support import footprint, png, serving

from imagestudio.domain.seed import MAX_SEED

PAST = MAX_SEED + 1


def sent(client: httpx.Client, route: str, seed: int) -> httpx.Response:
    """`route` asked for a small image with `seed`, in the body that route takes."""
    if route == "POST /v1/operations":
        body = {"kind": "text-to-image", "prompt": "a fox", "width": 256, "height": 256}
        return client.post("/v1/operations", json={**body, "seed": seed})
    if route == "POST /v1/operations (form)":
        return client.post(
            "/v1/operations",
            data={"kind": "upscale", "seed": str(seed)},
            files={"image": ("a.png", png(), "image/png")},
        )
    if route == "POST /v1/quotes":
        return client.post("/v1/quotes", json={"kind": "text-to-image", "seed": seed})
    if route == "POST /v1/images/generations":
        return client.post(
            "/v1/images/generations", json={"prompt": "a fox", "size": "256x256", "seed": seed}
        )
    assert route == "POST /v1/images/edits", route
    return client.post(
        "/v1/images/edits",
        data={"prompt": "a fox", "size": "256x256", "seed": str(seed)},
        files={"image": ("a.png", png(), "image/png")},
    )


def seeded_routes(spec: dict[str, Any]) -> set[str]:
    """Each route whose request body has a `seed` field; a form beside a JSON body counts apart."""
    schemas = spec["components"]["schemas"]

    def has_seed(node: object, seen: frozenset[str] = frozenset()) -> bool:
        if isinstance(node, list):
            return any(has_seed(item, seen) for item in node)
        if not isinstance(node, dict):
            return False
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return name not in seen and has_seed(schemas[name], seen | {name})
        return "seed" in node.get("properties", {}) or any(has_seed(v, seen) for v in node.values())

    found = set()
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            bodies = operation.get("requestBody", {}).get("content", {})
            for content_type, body in bodies.items():
                if has_seed(body):
                    beside = content_type == "multipart/form-data" and len(bodies) > 1
                    found.add(f"{method.upper()} {path}{' (form)' if beside else ''}")
    return found


def test_a_seed_past_what_every_provider_takes_is_refused_on_every_route_and_costs_nothing(
    tmp_path: Path,
) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice:
        routes = seeded_routes(alice.get("/openapi.json").json())
        before = footprint(api, "alice")
        refused = {route: sent(alice, route, PAST) for route in sorted(routes)}
        huge = sent(alice, "POST /v1/operations", 2**64)
        after = footprint(api, "alice")
        largest = sent(alice, "POST /v1/operations", MAX_SEED)

    assert routes == {
        "POST /v1/operations",
        "POST /v1/operations (form)",
        "POST /v1/quotes",
        "POST /v1/images/generations",
        "POST /v1/images/edits",
    }
    for route, answer in [*refused.items(), ("POST /v1/operations", huge)]:
        openai = route.startswith("POST /v1/images/")
        # Past the schema's bound, the body's 400; past the bound for its calls, a 422.
        assert answer.status_code in (400, 422), (route, answer.text)
        problem = answer.json()
        field = problem["error"]["param"] if openai else problem["field"]
        assert field == "seed", (route, problem)
    assert after == before
    assert largest.status_code in (200, 201), largest.text
