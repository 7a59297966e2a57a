"""The Usage and Admin pages over real HTTP, without a browser: every admin page refuses a
user's session (403) and every admin form refuses a POST without its CSRF token; a form that
cannot be read is refused by name and changes nothing; the user's CSV export holds their own
lines only; every link stays under the prefix the app is mounted at."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.routing import APIRoute
from test_http_studio_pages import ADMIN as HOST_ADMIN
from test_http_studio_pages import PREFIX, host_app, local_links
from test_http_studio_pages import new_user as host_user
from test_http_studio_pages import sign_in as sign_in_under

from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.entrypoints.http.app import create_app
from imagestudio.entrypoints.http.pages import (
    admin_money_pages,
    admin_pages,
    admin_user_pages,
    usage_pages,
)
from imagestudio.entrypoints.settings import Profile, Settings

ADMIN = "admin-secret-for-account-page-tests"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
ADMIN_ROUTES = [
    (method, route.path)
    for router in (admin_pages.router, admin_user_pages.router, admin_money_pages.router)
    for route in router.routes
    if isinstance(route, APIRoute)
    for method in route.methods
]
"""Every admin page route, read from the routers (a new one is covered without a new line)."""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("account-pages")
    settings = Settings(profile=Profile.LOCAL, data_dir=data_dir, admin_key=ADMIN)
    with ServedApp(create_app(settings), lifespan="on", name="account-pages") as running:
        yield running.base_url


def admin_api(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {ADMIN}"})


def new_user(base_url: str, user: str) -> str:
    with admin_api(base_url) as admin:
        made = admin.post("/v1/admin/users", json={"user_id": user, "plan": "pro"})
        assert made.status_code == 201, made.text
        return str(made.json()["api_key"])


def sign_in(client: httpx.Client, key: str) -> str:
    """Sign the browser-like `client` in with `key`; the CSRF token of its session."""
    page = client.get("/sign-in")
    token = CSRF.search(page.text)
    assert token is not None
    done = client.post("/sign-in", data={"csrf_token": token.group(1), "api_key": key, "next": "/"})
    assert done.status_code == 303, done.text
    found = CSRF.search(client.get("/usage" if key != ADMIN else "/admin/plans").text)
    assert found is not None
    return found.group(1)


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "someone", path)


def test_every_admin_page_refuses_a_users_session(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as client:
        token = sign_in(client, new_user(base_url, "ursula"))
        for method, path in ADMIN_ROUTES:
            answer = client.request(method, concrete(path), data={"csrf_token": token})
            assert answer.status_code == 403, (method, path)
            assert "Not for this session" in answer.text


def test_every_admin_form_refuses_a_post_without_its_token(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as client:
        sign_in(client, ADMIN)
        posts = [path for method, path in ADMIN_ROUTES if method == "POST"]
        assert posts
        for path in posts:
            answer = client.post(concrete(path), data={"csrf_token": "0" * 64})
            assert answer.status_code == 403, path
            assert "This form cannot be accepted" in answer.text


def test_a_plan_that_cannot_be_read_is_refused_by_name_and_changes_nothing(
    base_url: str,
) -> None:
    with httpx.Client(base_url=base_url) as client, admin_api(base_url) as admin:
        token = sign_in(client, ADMIN)
        before = admin.get("/v1/admin/plans").json()
        for field, value in (
            ("spend_cap", "lots"),
            ("requests_per_minute", "-3"),
            ("anchor_day", "40"),
            ("calls-image-generation", "many"),
        ):
            form = {"csrf_token": token, "name": "pro", field: value}
            answer = client.post("/admin/plans", data=form)
            assert answer.status_code == 422, (field, answer.text)
            # The form again, the refusal at the field, what was typed kept (not an error page).
            marked = re.search(rf'<input [^>]*name="{field}"[^>]*>', answer.text)
            assert marked is not None, (field, answer.text)
            assert f'value="{value}"' in marked[0] and 'aria-invalid="true"' in marked[0]
            assert f'id="{field}-error"' in answer.text
        assert admin.get("/v1/admin/plans").json() == before


def test_the_usage_export_holds_the_users_own_lines_only(base_url: str) -> None:
    key = new_user(base_url, "edna")
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}) as api:
        made = api.post("/v1/operations", json={"kind": "text-to-image", "prompt": "a kite"})
        assert made.status_code == 200, made.text
    new_user(base_url, "otto")
    with admin_api(base_url) as admin:
        other = admin.post(
            "/v1/admin/adjustments",
            json={"user_id": "otto", "amount": "0.50", "reason": "not edna's"},
        )
        assert other.status_code == 201, other.text
    with httpx.Client(base_url=base_url) as client:
        sign_in(client, key)
        exported = client.get("/usage/export")
        assert exported.status_code == 200
        assert exported.headers["content-type"].startswith("text/csv")
        assert "attachment" in exported.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert [row["line_id"] for row in rows] == [made.json()["id"]]
        assert {row["user_id"] for row in rows} == {"edna"}
        assert client.get("/usage/export?period=nonsense").status_code == 422
        assert client.get("/usage?period=2026-02-30").status_code == 422
        # The cookie opens the page's export, never the API's.
        assert client.get("/v1/usage/export?since=2020-01-01").status_code == 401


def test_every_admin_page_renders_for_the_admin_with_links_under_the_app(base_url: str) -> None:
    new_user(base_url, "pia")
    with httpx.Client(base_url=base_url) as client:
        sign_in(client, ADMIN)
        for method, path in ADMIN_ROUTES:
            if method != "GET":
                continue
            page = client.get(path.replace("{user_id}", "pia"))
            assert page.status_code == 200, (path, page.text)
            assert page.text.count("<h1") == 1, path
        edited = client.get("/admin/plans?edit=pro")
        assert 'value="pro"' in edited.text
        assert client.get("/admin/users/nobody").status_code == 404


def test_usage_and_admin_links_and_redirects_stay_under_the_mount_prefix(tmp_path: Path) -> None:
    with ServedApp(host_app(tmp_path), lifespan="on", name="host") as served:
        key = host_user(served.base_url + PREFIX, "alice")
        with httpx.Client(base_url=served.base_url) as user:
            sign_in_under(user, key, PREFIX)
            usage = user.get(f"{PREFIX}/usage")
            assert usage.status_code == 200
            links = local_links(usage.text)
            assert f"{PREFIX}/usage/export?period=" in usage.text
            assert links and all(link.startswith(f"{PREFIX}/") for link in links), links
            assert user.get(f"{PREFIX}/usage/export").status_code == 200
        with httpx.Client(base_url=served.base_url) as admin:
            sign_in_under(admin, HOST_ADMIN, PREFIX)
            gets = [path for method, path in ADMIN_ROUTES if method == "GET"]
            pages = [admin.get(PREFIX + path.replace("{user_id}", "alice")) for path in gets]
            assert all(page.status_code == 200 for page in pages)
            links = [link for page in pages for link in local_links(page.text)]
            assert links and all(link.startswith(f"{PREFIX}/") for link in links), links
            token = CSRF.search(pages[0].text)
            assert token is not None
            moved = admin.post(
                f"{PREFIX}/admin/users/alice/plan",
                data={"csrf_token": token.group(1), "plan": "basic"},
            )
            assert (moved.status_code, moved.headers["location"]) == (
                303,
                f"{PREFIX}/admin/users?notice=plan-changed",
            )


def test_the_admin_adds_a_user_whose_key_is_shown_once_and_deletes_a_plan(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as client, admin_api(base_url) as admin:
        token = sign_in(client, ADMIN)
        added = client.post(
            "/admin/users", data={"csrf_token": token, "user_id": "nia", "plan": "basic"}
        )
        assert added.status_code == 200 and added.headers["cache-control"] == "no-store"
        shown = re.search(r'id="new-key" readonly value="(isk_[^"]+)"', added.text)
        assert shown is not None
        with httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {shown.group(1)}"}
        ) as nia:
            assert nia.get("/v1/usage").json()["plan"] == "basic"
        assert shown.group(1) not in client.get("/admin/users/nia").text
        again = client.post(
            "/admin/users", data={"csrf_token": token, "user_id": "nia", "plan": "basic"}
        )
        assert again.status_code == 409 and "<h1" in again.text

        saved = client.post("/admin/plans", data={"csrf_token": token, "name": "spare"})
        assert saved.headers["location"] == "/admin/plans?notice=plan-saved"
        assert "spare" in [plan["name"] for plan in admin.get("/v1/admin/plans").json()]
        refused = client.post("/admin/plans/basic/delete", data={"csrf_token": token})
        assert refused.status_code == 422 and "nia" in refused.text  # nia is on it
        deleted = client.post("/admin/plans/spare/delete", data={"csrf_token": token})
        assert deleted.headers["location"] == "/admin/plans?notice=plan-deleted"
        assert "spare" not in [plan["name"] for plan in admin.get("/v1/admin/plans").json()]
        assert "The plan was deleted." in client.get(deleted.headers["location"]).text


def test_the_ledger_pages_on_with_more(base_url: str) -> None:
    key = new_user(base_url, "olga")
    with admin_api(base_url) as admin:
        for number in range(usage_pages.LEDGER_PAGE + 1):
            body = {"user_id": "olga", "amount": "0.01", "reason": f"line {number:02d}"}
            assert admin.post("/v1/admin/adjustments", json=body).status_code == 201
    with httpx.Client(base_url=base_url) as client:
        sign_in(client, key)
        first = client.get("/usage").text
        more = re.search(r'href="(/usage\?period=[^"]+&amp;cursor=[^"]+)">More<', first)
        assert more is not None and first.count("<td>line ") == usage_pages.LEDGER_PAGE
        assert f"line {usage_pages.LEDGER_PAGE:02d}" in first  # newest first
        rest = client.get(html.unescape(more.group(1))).text
        assert rest.count("<td>line ") == 1 and "line 00" in rest and ">More<" not in rest


def test_an_unknown_outcome_waits_on_the_admins_waiting_page(base_url: str) -> None:
    key = new_user(base_url, "quinn")
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}) as api:
        api.post("/v1/operations", json={"kind": "text-to-image", "prompt": "[offline:unknown] x"})
        listed = api.get("/v1/operations", params={"status": "unknown"}).json()["items"]
    [operation] = listed
    with httpx.Client(base_url=base_url) as client:
        sign_in(client, ADMIN)
        waiting = client.get("/admin/waiting").text
    row = re.search(r"<tr>\s*<td>[^<]*</td>\s*<td><a[^>]*>quinn</a>.*?</tr>", waiting, re.S)
    assert row is not None, waiting
    assert "status-unknown" in row.group(0) and "offline/text-to-image" in row.group(0)
    assert operation["waiting"]["reason"] in row.group(0)
