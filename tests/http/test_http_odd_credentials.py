"""Credentials no client should send, on every route and method of the OpenAPI document (a new
route is covered without editing this file): a bearer token holding non-ASCII bytes (a header is
read as Latin-1, and `hmac.compare_digest` raises on a non-ASCII str), a huge one, an empty one,
another scheme. Each is refused below 500 and costs nothing; the server answers afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from http_support import Api, footprint, serving

ODD = [
    b"Bearer \xe9\xe9",
    b"Bearer caf\xc3\xa9",  # UTF-8 bytes, read as Latin-1
    b"Bearer " + b"k" * 8_000,
    b"Bearer \t x",
    b"Bearer",
    b"Basic YWxpY2U6c2VjcmV0",
    b"\xe9",
]
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with serving(tmp_path_factory.mktemp("odd-credentials")) as served:
        yield served


def routes(document: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for path, operations in document["paths"].items():
        filled = path
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    filled = filled.replace(f"{{{parameter['name']}}}", "nothing-here")
        found += [(method, filled) for method in METHODS if method in operations]
    return found


def test_no_route_answers_5xx_to_odd_credentials(api: Api) -> None:
    with api.client("alice") as client:
        before = footprint(api, "alice")
        document = client.get("/openapi.json").json()
    every = routes(document)
    assert len(every) > 40, every
    with httpx.Client(base_url=api.base_url, timeout=30) as bare:
        broken = {}
        for method, path in every:
            for header in ODD:
                answer = bare.request(method.upper(), path, headers={"Authorization": header})
                if answer.status_code >= 500:
                    broken[(method, path, header[:20])] = answer.status_code
        assert broken == {}, broken
        assert bare.get("/healthz").status_code == 200
    assert footprint(api, "alice") == before
