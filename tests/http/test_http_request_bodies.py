"""The rules every request body meets, proved on every route the OpenAPI document lists (a new
route is covered without editing this file): its declared content types or 415; JSON nested
too deep for the parser, or holding a lone surrogate, is a 400 naming where, and the keep-alive
connection survives it; every 400 names the field and the rule it broke."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from http_support import ADMIN, Api, serving

from imagestudio.domain.errors.echo import ECHO_CHARS
from imagestudio.entrypoints.http.app import create_app
from imagestudio.entrypoints.http.studio_route import StudioRoute
from imagestudio.entrypoints.settings import Profile, Settings

DEEP = 100_000
"""Far past the JSON parser's recursion limit."""


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with serving(tmp_path_factory.mktemp("bodies")) as served:
        yield served


@pytest.fixture(scope="module")
def document(api: Api) -> dict[str, Any]:
    with api.client() as anonymous:
        found: dict[str, Any] = anonymous.get("/openapi.json").json()
    return found


def routes_with_bodies(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path with its parameters filled, declared content) of every route taking a body."""
    found = []
    for template, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content")
            if content:
                path = template
                for parameter in operation.get("parameters", []):
                    if parameter["in"] == "path":
                        path = path.replace("{" + parameter["name"] + "}", "some-id")
                found.append((method.upper(), path, content))
    assert len(found) >= 14, found  # the document lists them, or this proves nothing
    return found


def key(api: Api, path: str) -> str:
    return ADMIN if path.startswith("/v1/admin") else api.keys["alice"]


def schema_of(document: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = content["application/json"]["schema"]
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:  # an optional body: its object
        schema = next(option for option in schema["anyOf"] if "$ref" in option)
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def refusal(response: Any) -> tuple[str, str, str]:
    """(field, reason, detail) of a problem or of an error in OpenAI's shape."""
    body = response.json()
    if "error" in body:
        error = body["error"]
        return error["param"], error["message"], error["message"]
    return body["field"], body["reason"], body["detail"]


class Raw:
    """One keep-alive connection spoken to byte by byte: whether the server keeps it open after
    an answer is what these tests check, and a client library would silently reconnect."""

    def __init__(self, api: Api) -> None:
        host, port = api.base_url.removeprefix("http://").split(":")
        self._socket = socket.create_connection((host, int(port)), timeout=30)
        self._buffer = b""

    def close(self) -> None:
        self._socket.close()

    def send(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> int:
        head = [f"{method} {path} HTTP/1.1", "host: test", f"content-length: {len(body)}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        self._socket.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        return self._answer()

    def _answer(self) -> int:
        while b"\r\n\r\n" not in self._buffer:
            self._read()
        head, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        fields = dict(line.lower().split(": ", 1) for line in lines[1:])
        length = int(fields.get("content-length", "0"))
        while len(self._buffer) < length:
            self._read()
        self._buffer = self._buffer[length:]
        return int(lines[0].split()[1])

    def _read(self) -> None:
        chunk = self._socket.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self._buffer += chunk


def test_every_route_is_a_studio_route(tmp_path: Path) -> None:
    """The rules live in the route class: a route added on any router gets them."""
    app = create_app(Settings(profile=Profile.TEST, data_dir=tmp_path))
    routes = [found.original_route for found in iter_route_contexts(app.routes)]
    api_routes = [route for route in routes if isinstance(route, APIRoute)]

    assert len(api_routes) > 30
    assert all(isinstance(route, StudioRoute) for route in api_routes)


def test_a_body_in_an_undeclared_type_is_415_naming_the_declared_ones(
    api: Api, document: dict[str, Any]
) -> None:
    with api.client() as client:
        for method, path, content in routes_with_bodies(document):
            auth = {"Authorization": f"Bearer {key(api, path)}"}
            for sent in ("text/plain", "application/x-www-form-urlencoded", None):
                if sent in content:
                    continue
                headers = auth if sent is None else {**auth, "content-type": sent}
                answer = client.request(method, path, content=b'{"a": 1}', headers=headers)
                assert answer.status_code == 415, (method, path, sent, answer.text)
                field, reason, _ = refusal(answer)
                assert field == "content-type"
                for declared in content:
                    assert declared in reason, (path, reason)


def test_json_goes_as_application_json_or_any_json_suffix(
    api: Api, document: dict[str, Any]
) -> None:
    with api.client() as client:
        for method, path, content in routes_with_bodies(document):
            if "application/json" not in content:
                continue
            for sent in ("application/json", "application/vnd.example+json; charset=utf-8"):
                headers = {"Authorization": f"Bearer {key(api, path)}", "content-type": sent}
                answer = client.request(method, path, content=b"{}", headers=headers)
                assert answer.status_code not in (415, 500), (method, path, sent, answer.text)


def test_json_nested_too_deep_is_400_and_keeps_the_connection(
    api: Api, document: dict[str, Any]
) -> None:
    deep = b"[" * DEEP + b"]" * DEEP
    raw = Raw(api)
    try:
        for method, path, content in routes_with_bodies(document):
            if "application/json" not in content:
                continue
            headers = {
                "authorization": f"Bearer {key(api, path)}",
                "content-type": "application/json",
            }
            assert raw.send(method, path, headers, deep) == 400, (method, path)
            assert raw.send("GET", "/healthz", {}) == 200, (method, path)
        # JSON inside a form: the `parameters` part of a multipart operation.
        boundary = "b0undary"
        form = (
            (
                f'--{boundary}\r\ncontent-disposition: form-data; name="kind"\r\n\r\nupscale\r\n'
                f'--{boundary}\r\ncontent-disposition: form-data; name="parameters"\r\n\r\n'
            ).encode()
            + deep
            + f"\r\n--{boundary}--\r\n".encode()
        )
        multipart = {
            "authorization": f"Bearer {api.keys['alice']}",
            "content-type": f"multipart/form-data; boundary={boundary}",
        }
        assert raw.send("POST", "/v1/operations", multipart, form) == 400
        assert raw.send("GET", "/healthz", {}) == 200
    finally:
        raw.close()


def test_a_lone_surrogate_in_any_field_is_400_naming_it(api: Api, document: dict[str, Any]) -> None:
    surrogate = '"\\ud800"'
    checked = 0
    with api.client() as client:
        for method, path, content in routes_with_bodies(document):
            if "application/json" not in content:
                continue
            headers = {
                "Authorization": f"Bearer {key(api, path)}",
                "content-type": "application/json",
            }
            for name in schema_of(document, content).get("properties", {}):
                for body, field in (
                    (f'{{"{name}": {surrogate}}}', name),
                    (f'{{"{name}": {{"k": [1, {surrogate}]}}}}', f"{name}.k[1]"),
                    (f'{{"{name}": {{{surrogate}: 1}}}}', name),
                ):
                    answer = client.request(method, path, content=body.encode(), headers=headers)
                    assert answer.status_code == 400, (path, body, answer.text)
                    assert refusal(answer)[0] == field, (path, body, answer.text)
                    checked += 1
        # A paired surrogate is an ordinary character (here an emoji): read, not refused.
        paired = client.post(
            "/v1/admin/users",
            content=b'{"user_id": "fox", "plan": "\\ud83e\\udd8a"}',
            headers={"Authorization": f"Bearer {ADMIN}", "content-type": "application/json"},
        )
    assert checked > 100
    assert paired.status_code == 404, paired.text
    assert "\N{FOX FACE}" in paired.json()["detail"]


def test_every_400_names_the_field_and_the_rule(api: Api, document: dict[str, Any]) -> None:
    """A value of the wrong type in each property of each JSON body, and a query out of range."""
    with api.client() as client:
        for method, path, content in routes_with_bodies(document):
            if "application/json" not in content:
                continue
            headers = {"Authorization": f"Bearer {key(api, path)}"}
            for name in schema_of(document, content).get("properties", {}):
                answer = client.request(method, path, json={name: {"k": [[]]}}, headers=headers)
                assert answer.status_code == 400, (path, name, answer.text)
                field, reason, detail = refusal(answer)
                assert field and reason and detail.startswith(f"{field}: "), answer.text
                if "errors" in answer.json():
                    named = [error["field"] for error in answer.json()["errors"]]
                    assert any(f.split(".")[0].split("[")[0] == name for f in named), named
        operation = client.post(
            "/v1/operations",
            json={"kind": "text-to-image", "prompt": "a fox", "n": "two"},
            headers={"Authorization": f"Bearer {api.keys['alice']}"},
        )
        listing = client.get(
            "/v1/assets",
            params={"limit": 0},
            headers={"Authorization": f"Bearer {api.keys['alice']}"},
        )
    assert refusal(operation)[:2] == (
        "n",
        "Input should be a valid integer, unable to parse string as an integer",
    )
    assert operation.json()["detail"].startswith("n: Input should be a valid integer")
    assert refusal(listing)[0] == "query.limit"
    assert "greater than or equal to 1" in refusal(listing)[1]


def test_a_made_up_key_of_any_length_is_named_cut_in_the_refusal(
    api: Api, document: dict[str, Any]
) -> None:
    """A key no body has, 100,000 characters long, at the top of each JSON body and inside each
    of its properties: the answer names it cut, as a refused value is quoted (it came back
    whole in `detail`, `field` and each of `errors`, a 100 KB key as a 600 KB answer)."""
    made_up = "k" * 100_000
    checked = 0
    with api.client() as client:
        for method, path, content in routes_with_bodies(document):
            if "application/json" not in content:
                continue
            headers = {"Authorization": f"Bearer {key(api, path)}"}
            names = schema_of(document, content).get("properties", {})
            for body in [{made_up: 1}, *({name: {made_up: [[]]}} for name in names)]:
                answer = client.request(method, path, json=body, headers=headers)
                assert len(answer.content) < 4096, (path, len(answer.content))
                assert "k" * ECHO_CHARS not in answer.text, (path, answer.text[:300])
                checked += 1
    assert checked > 60


def _types(spec: dict[str, Any]) -> set[str]:
    found = {spec["type"]} if "type" in spec else set()
    for option in spec.get("anyOf", []):
        found |= _types(option)
    return found


OPENAI_BODIES = "/v1/images/"
"""Their refusals come in OpenAI's shape, the fields' errors under `error`."""


def _named_fields(path: str, answer: Any) -> set[str]:
    body = answer.json()
    errors = body["error"]["errors"] if path.startswith(OPENAI_BODIES) else body["errors"]
    return {error["field"].split(".")[0] for error in errors}


def test_true_or_false_is_no_whole_number_in_any_body(api: Api, document: dict[str, Any]) -> None:
    """Every integer property of every JSON body refuses JSON's booleans by name: read as 1 and
    0, a plan's `retention_days: true` kept assets one day, `n: true` ran one output and
    `seed: false` was seed 0."""
    checked = 0
    with api.client() as client:
        for method, path, content in routes_with_bodies(document):
            if "application/json" not in content:
                continue
            headers = {"Authorization": f"Bearer {key(api, path)}"}
            for name, spec in schema_of(document, content).get("properties", {}).items():
                if "integer" not in _types(spec) or "boolean" in _types(spec):
                    continue
                for value in (True, False):
                    answer = client.request(method, path, json={name: value}, headers=headers)
                    assert answer.status_code == 400, (path, name, value, answer.text)
                    assert name in _named_fields(path, answer), (path, name, answer.text)
                    checked += 1
    assert checked >= 20


def test_a_form_part_that_is_not_json_names_its_part(api: Api) -> None:
    with api.client("alice") as alice:
        answer = alice.post(
            "/v1/operations",
            data={"kind": "upscale", "parameters": json.dumps({"scale": 2})[:-1]},
            files={"image": ("a.png", b"not read", "image/png")},
        )

    assert answer.status_code == 400
    assert refusal(answer)[0] == "parameters"
