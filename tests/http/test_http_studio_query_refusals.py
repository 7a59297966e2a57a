"""Every query parameter of every studio page, found from the app's routes (so a new one is
covered without editing this file), sent with a value its declaration refuses (a word for a
number, one character past its longest): the answer is the studio's error page naming the
parameter, in HTML like every other refusal on a page, never the API's problem JSON."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from annotated_types import MaxLen
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.entrypoints.http.app import create_app
from imagestudio.entrypoints.settings import Profile, Settings

ADMIN = "admin-secret-for-query-refusals-01"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
PATH_PARAMETER = re.compile(r"\{[^}]+\}")
PAGES = "imagestudio.entrypoints.http.pages."


def breaking(field: Any) -> str | None:
    """A value the parameter's declaration refuses, or None when it takes any text."""
    annotation = field.field_info.annotation
    if annotation in (int, int | None, float, float | None):
        return "abc"
    if annotation in (bool, bool | None):
        return "maybe"
    for rule in field.field_info.metadata:
        if isinstance(rule, MaxLen):
            return "x" * (rule.max_length + 1)
    return None


def query_fields(dependant: Dependant) -> list[Any]:
    """The query parameters of a route and of every dependency it has."""
    found = list(dependant.query_params)
    for dependency in dependant.dependencies:
        found.extend(query_fields(dependency))
    return found


def page_queries(app: Any) -> list[tuple[str, str, str]]:
    """(path with each path parameter `x`, query parameter, a value it refuses) for every GET
    page."""
    found = []
    for route in (found.original_route for found in iter_route_contexts(app.routes)):
        if not isinstance(route, APIRoute) or "GET" not in route.methods:
            continue
        if not route.endpoint.__module__.startswith(PAGES):
            continue
        path = PATH_PARAMETER.sub("x", route.path)
        for field in query_fields(route.dependant):
            value = breaking(field)
            if value is not None:
                found.append((path, field.alias, value))
    return found


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str, str]]:
    settings = Settings(
        profile=Profile.LOCAL, data_dir=tmp_path_factory.mktemp("queries"), admin_key=ADMIN
    )
    app = create_app(settings)
    with ServedApp(app, lifespan="on", name="query-refusals") as running:
        with httpx.Client(base_url=running.base_url, timeout=30) as admin:
            made = admin.post(
                "/v1/admin/users",
                json={"user_id": "quinn", "plan": "pro"},
                headers={"Authorization": f"Bearer {ADMIN}"},
            )
        assert made.status_code == 201, made.text
        yield app, running.base_url, made.json()["api_key"]


def sign_in(client: httpx.Client, key: str) -> None:
    token = CSRF.search(client.get("/sign-in").text)
    assert token is not None
    signed = client.post("/sign-in", data={"csrf_token": token.group(1), "api_key": key})
    assert signed.status_code == 303, signed.text


def test_a_page_refuses_a_broken_query_parameter_with_its_error_page(
    served: tuple[Any, str, str],
) -> None:
    app, base_url, key = served
    queries = page_queries(app)
    paths = {path for path, _, _ in queries}
    assert {"/library", "/library/x/thumbnail", "/admin/users"} <= paths, paths
    with (
        httpx.Client(base_url=base_url, timeout=30) as user,
        httpx.Client(base_url=base_url, timeout=30) as admin,
    ):
        sign_in(user, key)
        sign_in(admin, ADMIN)
        for path, name, value in queries:
            client = admin if path.startswith("/admin") else user
            answer = client.get(path, params={name: value})
            assert 400 <= answer.status_code < 500, (path, name, answer.status_code)
            kind = answer.headers["content-type"]
            assert kind.startswith("text/html"), (path, name, kind, answer.text[:200])
            assert 'class="problem" role="alert"' in answer.text, (path, name)
            assert name in answer.text, (path, name)
