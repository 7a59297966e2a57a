"""Refusals made before any route runs (a body declared over the size limit, a NUL in the URL)
on every path of OpenAI's images API: in OpenAI's error body, as every other refusal there, so
the `openai` client shows their message. They were answered as RFC 9457 problems, while a
chunked body over the limit, refused as a route reads it, was answered in OpenAI's shape: the
same refusal in two shapes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from test_http_openai import Served, serving

from imagestudio.entrypoints.http.openai_errors import OPENAI_PATHS

LIMIT = 1000


def too_long(client: httpx.Client, path: str) -> httpx.Response:
    return client.post(path, content=b"x" * (LIMIT + 1))


def nul_in_the_url(client: httpx.Client, path: str) -> httpx.Response:
    return client.post(path + "?a=%00", json={"prompt": "a kite"})


REFUSALS = {"too-long": too_long, "nul": nul_in_the_url}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(tmp_path_factory.mktemp("refusals"), http_max_request_bytes=LIMIT) as served:
        yield served


@pytest.mark.parametrize("path", sorted(OPENAI_PATHS))
@pytest.mark.parametrize("refusal", sorted(REFUSALS))
def test_a_refusal_before_any_route_is_in_openais_shape(
    served: Served, path: str, refusal: str
) -> None:
    key = served.api.keys["alice"]
    with httpx.Client(
        base_url=served.api.base_url, headers={"Authorization": f"Bearer {key}"}
    ) as c:
        answer = REFUSALS[refusal](c, path)

    assert answer.status_code == (422 if refusal == "nul" else 413), answer.text
    assert answer.headers["content-type"] == "application/json", answer.text
    error = answer.json()["error"]
    assert set(error) >= {"message", "type", "code", "param"}, error
    assert error["type"] == "invalid_request_error"
    assert error["param"] == ("url" if refusal == "nul" else "body")
    assert answer.headers["x-should-retry"] == "false"
