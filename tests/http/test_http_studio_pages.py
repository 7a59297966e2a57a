"""The studio pages over real HTTP, without a browser: every link under the prefix the app is
mounted at, sessions that outlive the server (they are rows in its database), the cookie's
attributes, and the one-time link `imagestudio serve` prints."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.entrypoints.http.app import create_app
from imagestudio.entrypoints.http.mounting import mountable_app
from imagestudio.entrypoints.http.redaction import redacted
from imagestudio.entrypoints.settings import Profile, Settings
from imagestudio.entrypoints.sign_in_link import print_sign_in_link

ADMIN = "admin-secret-for-page-tests"
PREFIX = "/studio"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def settings(data_dir: Path) -> Settings:
    return Settings(profile=Profile.LOCAL, data_dir=data_dir, admin_key=ADMIN)


def host_app(data_dir: Path) -> FastAPI:
    studio = mountable_app(settings(data_dir))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with studio.lifespan(app):
            yield

    host = FastAPI(lifespan=lifespan)
    host.mount(PREFIX, studio.app)
    return host


def new_user(base_url: str, user: str) -> str:
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {ADMIN}"}) as admin:
        made = admin.post("/v1/admin/users", json={"user_id": user, "plan": "pro"})
        assert made.status_code == 201, made.text
        return str(made.json()["api_key"])


def sign_in(client: httpx.Client, key: str, prefix: str = "") -> httpx.Response:
    page = client.get(f"{prefix}/sign-in")
    token = CSRF.search(page.text)
    assert token is not None
    return client.post(
        f"{prefix}/sign-in", data={"csrf_token": token.group(1), "api_key": key, "next": "/"}
    )


def local_links(html: str) -> list[str]:
    return [
        link
        for link in re.findall(r'(?:href|src|action|hx-post|hx-get)="([^"]+)"', html)
        if link.startswith("/")
    ]


@dataclass(frozen=True)
class Served:
    base_url: str
    data_dir: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for the tests that need no server of their own."""
    data_dir = tmp_path_factory.mktemp("pages")
    with ServedApp(create_app(settings(data_dir)), lifespan="on", name="pages") as running:
        yield Served(running.base_url, data_dir)


def test_every_link_stays_under_the_prefix_the_app_is_mounted_at(tmp_path: Path) -> None:
    with ServedApp(host_app(tmp_path), lifespan="on", name="host") as served:
        key = new_user(served.base_url + PREFIX, "alice")
        with httpx.Client(base_url=served.base_url) as client:
            first = client.get(f"{PREFIX}/")
            assert (first.status_code, first.headers["location"]) == (303, f"{PREFIX}/sign-in")
            signed = sign_in(client, key, PREFIX)
            assert (signed.status_code, signed.headers["location"]) == (303, f"{PREFIX}/create")
            assert f"Path={PREFIX}" in signed.headers["set-cookie"]
            pages = [client.get(f"{PREFIX}{path}") for path in ("/create", "/operations")]
            links = [link for page in pages for link in local_links(page.text)]
            assert links and all(link.startswith(f"{PREFIX}/") for link in links), links
            for asset in ("/static/studio.css", "/static/htmx.min.js"):
                assert client.get(f"{PREFIX}{asset}").status_code == 200
            docs = client.get(f"{PREFIX}/docs").text
            assert f"{PREFIX}/docs-assets/swagger-ui-bundle.js" in docs and "cdn" not in docs
            assert f"{PREFIX}/docs-assets/redoc" in client.get(f"{PREFIX}/redoc").text


def test_a_session_outlives_its_server_and_is_secure_over_https(tmp_path: Path) -> None:
    with ServedApp(create_app(settings(tmp_path)), lifespan="on", name="first") as served:
        key = new_user(served.base_url, "alice")
        with httpx.Client(base_url=served.base_url) as client:
            # Behind a proxy that ends TLS (uvicorn trusts loopback's forwarded headers).
            https = {"x-forwarded-proto": "https"}
            cookie = sign_in(client, key).headers["set-cookie"]
            assert "HttpOnly" in cookie and "SameSite=strict" in cookie
            assert "Secure" not in cookie and key not in cookie
            client.cookies.clear()
            page = client.get("/sign-in", headers=https)
            token = CSRF.search(page.text)
            visitor = re.search(
                r"imagestudio_visitor=([\w-]+);.*; Secure", page.headers["set-cookie"]
            )
            assert token is not None and visitor is not None
            # Sent by hand: the client keeps a Secure cookie for https only.
            secure = client.post(
                "/sign-in",
                data={"csrf_token": token.group(1), "api_key": key},
                headers={**https, "cookie": f"imagestudio_visitor={visitor.group(1)}"},
            )
            assert "; Secure" in secure.headers["set-cookie"]
            kept = dict(client.cookies)
    second = ServedApp(create_app(settings(tmp_path)), lifespan="on", name="second")
    with second as served, httpx.Client(base_url=served.base_url, cookies=kept) as client:
        assert client.get("/create").status_code == 200
        assert client.get("/v1/operations").status_code == 401  # cookies open no API route


def test_serve_prints_a_one_time_link_that_signs_in_the_default_user(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    # As `serve` does before it starts; here beside a running server on the same database.
    print_sign_in_link(settings(served.data_dir), "0.0.0.0", 8123)
    printed = capsys.readouterr().out
    found = re.search(r"http://127\.0\.0\.1:8123(/sign-in/link\?token=([\w-]+))", printed)
    assert found is not None, printed
    assert redacted(found.group(1)) == "/sign-in/link?token=[redacted]"
    with httpx.Client(base_url=served.base_url) as client:
        page = client.get(found.group(1))
        csrf = CSRF.search(page.text)
        assert csrf is not None
        form = {"csrf_token": csrf.group(1), "token": found.group(2)}
        opened = client.post("/sign-in/link", data=form)
        assert (opened.status_code, opened.headers["location"]) == (303, "/create")
        assert ">local</span>" in client.get("/create").text
        client.cookies.clear()
        fresh = CSRF.search(client.get(found.group(1)).text)
        assert fresh is not None
        again = client.post("/sign-in/link", data={**form, "csrf_token": fresh.group(1)})
        assert again.status_code == 401 and "used already or expired" in again.text


def test_a_page_post_from_another_site_is_refused(served: Served) -> None:
    key = new_user(served.base_url, "amy")
    with httpx.Client(base_url=served.base_url) as client:
        sign_in(client, key)
        for path in ("/create", "/create/quote", "/sign-out"):
            refused = client.post(path, data={"prompt": "a fox"})
            assert refused.status_code == 403, path
            assert "This form cannot be accepted" in refused.text
        assert client.get("/create").status_code == 200  # still signed in
        # Before sign-in the sign-in form is bound to the visitor cookie the same way.
        client.cookies.clear()
        assert client.post("/sign-in", data={"api_key": key}).status_code == 403


def test_bad_form_fields_are_refused_by_name_and_cost_nothing(served: Served) -> None:
    key = new_user(served.base_url, "ben")
    with httpx.Client(base_url=served.base_url) as client:
        page = client.get("/sign-in?next=//elsewhere.example/phish")
        token = CSRF.search(page.text)
        assert token is not None
        signed = client.post(
            "/sign-in",
            data={"csrf_token": token.group(1), "api_key": key, "next": "//elsewhere.example"},
        )
        assert signed.headers["location"] == "/create"  # never another site
        csrf = CSRF.search(client.get("/create").text)
        assert csrf is not None
        good = {"csrf_token": csrf.group(1), "prompt": "a fox", "model": "auto"}
        for field, value in (
            ("n", "0"),
            ("n", "many"),
            ("seed", "-1"),
            ("size", "3x3"),
            ("model", "no/such-model"),
            ("prompt", " "),
        ):
            refused = client.post("/create", data={**good, field: value})
            assert refused.status_code in (404, 422), (field, value, refused.status_code)
            # The form again, the field marked and its message beside it.
            assert f'id="{field}-error"' in refused.text, (field, value)
            assert f'aria-describedby="{field}-error' in refused.text, (field, value)
            if field != "prompt":  # a quote prices the request; it needs no prompt
                quoted = client.post("/create/quote", data={**good, field: value})
                assert 'data-quote="refused"' in quoted.text, (field, value)
        listed = client.get("/operations")
        assert "No operations yet" in listed.text
