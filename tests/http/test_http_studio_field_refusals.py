"""A refused library or admin form is its page again, not the error page: the field the refusal
names marked invalid (`aria-invalid`, its message beside it by id), what was typed kept, and
nothing changed; a refusal of no field (a plan in use, a user who exists, a bad cursor) is shown
above the forms. Every field of the plan form is tried, so a new one is held to it too. (The
same in a real browser, focus included: tests/browser/test_studio_field_refusals.py.)"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx
import pytest
from test_http_studio_account_pages import ADMIN, admin_api, new_user, sign_in
from test_http_studio_account_pages import base_url as base_url  # the served studio

from imagestudio.entrypoints.http.pages.admin_pages import PLAN_FIELDS

BAD_PLAN_VALUES = {"name": "a\x01b", "anchor_day": "40", "retention_days": "0"}
"""What each plan field cannot be (any other: a word where a number goes)."""


def marked(page: str, name: str) -> str:
    """The field `name` as the page shows it, which must be marked invalid and described by
    its message, present on the page."""
    found = re.search(rf'<(?:input|select|textarea)\b[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    assert found is not None, f"no field {name}"
    field = found[0]
    assert 'aria-invalid="true"' in field, field
    assert f'aria-describedby="{name}-error' in field, field
    assert f'<p class="error field-error" id="{name}-error">' in page
    return field


def above(page: str) -> None:
    """The refusal of no field is shown above the forms, and no field is marked."""
    assert 'id="form-problem"' in page and 'role="alert"' in page
    assert 'aria-invalid="true"' not in page


@pytest.fixture(scope="module")
def admin(base_url: str) -> Iterator[tuple[httpx.Client, str]]:
    with httpx.Client(base_url=base_url) as client:
        yield client, sign_in(client, ADMIN)


@pytest.mark.parametrize("field", PLAN_FIELDS)
def test_each_plan_field_refused_is_marked_and_kept(
    base_url: str, admin: tuple[httpx.Client, str], field: str
) -> None:
    client, token = admin
    value = BAD_PLAN_VALUES.get(field, "lots")
    with admin_api(base_url) as api:
        before = api.get("/v1/admin/plans").json()
        form = {"csrf_token": token, "name": "spare", field: value}
        answer = client.post("/admin/plans", data=form)
        assert api.get("/v1/admin/plans").json() == before

    assert answer.status_code == 422, answer.text
    shown = marked(answer.text, field)
    if field != "name":  # a control character is not written back into the page
        assert f'value="{html.escape(value)}"' in shown


def test_the_other_admin_forms_mark_their_fields(
    base_url: str, admin: tuple[httpx.Client, str]
) -> None:
    client, token = admin
    new_user(base_url, "rhea")
    with admin_api(base_url) as api:
        before = api.get("/v1/admin/users/rhea/usage").json(), api.get("/v1/admin/budgets").json()
        budget = client.post(
            "/admin/budgets", data={"csrf_token": token, "provider": "offline", "monthly": "lots"}
        )
        amount = client.post(
            "/admin/adjustments",
            data={"csrf_token": token, "user_id": "rhea", "amount": "lots", "reason": "typo"},
        )
        reason = client.post(
            "/admin/adjustments",
            data={"csrf_token": token, "user_id": "rhea", "amount": "1.00", "reason": " "},
        )
        user = client.post(
            "/admin/users", data={"csrf_token": token, "user_id": "a\x01b", "plan": "pro"}
        )
        exists = client.post(
            "/admin/users", data={"csrf_token": token, "user_id": "rhea", "plan": "pro"}
        )
        in_use = client.post("/admin/plans/pro/delete", data={"csrf_token": token})
        after = api.get("/v1/admin/users/rhea/usage").json(), api.get("/v1/admin/budgets").json()

    assert after == before
    assert budget.status_code == 422 and 'value="lots"' in marked(budget.text, "monthly")
    assert amount.status_code == 422 and 'value="lots"' in marked(amount.text, "amount")
    assert 'value="typo"' in amount.text  # the other field kept
    assert reason.status_code == 422 and marked(reason.text, "reason")
    assert user.status_code == 422 and marked(user.text, "user_id")
    assert exists.status_code == 409
    above(exists.text)
    assert in_use.status_code in (409, 422), in_use.text
    above(in_use.text)


def test_library_filters_and_labels_mark_their_fields(base_url: str) -> None:
    key = new_user(base_url, "iris")
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}) as api:
        made = api.post("/v1/operations", json={"kind": "text-to-image", "prompt": "a kite"})
        assert made.status_code == 200, made.text
        asset = made.json()["assets"][0]["id"]
        before = api.get(f"/v1/assets/{asset}/details").json()
    with httpx.Client(base_url=base_url) as client:
        token = sign_in(client, key)
        dated = client.get("/library", params={"created_from": "yesterday", "tag": "sea"})
        cursor = client.get("/library", params={"cursor": "not-a-cursor"})
        tag = client.post(
            f"/library/{asset}/labels", data={"csrf_token": token, "add_tag": " padded"}
        )
        removed = client.post(
            f"/library/{asset}/labels", data={"csrf_token": token, "remove_tag": " padded"}
        )
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}) as api:
        after = api.get(f"/v1/assets/{asset}/details").json()

    assert dated.status_code == 422, dated.text
    assert 'value="yesterday"' in marked(dated.text, "created_from")
    assert re.search(r'<input id="tag" name="tag" value="sea"', dated.text)
    assert 'class="tile' not in dated.text  # no grid under filters that cannot be read
    assert 400 <= cursor.status_code < 500
    above(cursor.text)
    assert tag.status_code == 422 and 'value=" padded"' in marked(tag.text, "add_tag")
    assert removed.status_code == 422
    above(removed.text)
    assert after == before


OVER_A_MEBIBYTE = "x" * (1024 * 1024 + 1)
"""A text field the form parser refused while parsing (a bare 400, answered as JSON)."""


def test_a_field_over_a_mebibyte_is_refused_at_the_field_on_every_kind_of_form(
    base_url: str, admin: tuple[httpx.Client, str]
) -> None:
    admin_client, admin_token = admin
    key = new_user(base_url, "otis")
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}) as api:
        made = api.post("/v1/operations", json={"kind": "text-to-image", "prompt": "a kite"})
        assert made.status_code == 200, made.text
        asset = made.json()["assets"][0]["id"]
        before = api.get("/v1/operations").json(), api.get("/v1/usage").json()
    with httpx.Client(base_url=base_url, timeout=60) as client:
        token = sign_in(client, key)
        created = client.post("/create", data={"csrf_token": token, "prompt": OVER_A_MEBIBYTE})
        edited = client.post(  # multipart: a file beside it
            "/edit",
            data={"csrf_token": token, "prompt": OVER_A_MEBIBYTE},
            files={"image": ("a.png", b"not read", "image/png")},
        )
        labelled = client.post(
            f"/library/{asset}/labels", data={"csrf_token": token, "add_tag": OVER_A_MEBIBYTE}
        )
    planned = admin_client.post(
        "/admin/plans", data={"csrf_token": admin_token, "name": OVER_A_MEBIBYTE}
    )
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}) as api:
        after = api.get("/v1/operations").json(), api.get("/v1/usage").json()

    for answer, field in (
        (created, "prompt"),
        (edited, "prompt"),
        (labelled, "add_tag"),
        (planned, "name"),
    ):
        assert answer.status_code in (413, 422), (field, answer.status_code, answer.text[:300])
        assert answer.headers["content-type"].startswith("text/html")
        marked(answer.text, field)
        assert len(answer.text) < 1024 * 1024  # the field is not sent back whole
    assert after == before


def test_a_form_that_cannot_be_read_is_the_error_page_for_a_browser(base_url: str) -> None:
    key = new_user(base_url, "ugo")
    with httpx.Client(base_url=base_url) as client:
        sign_in(client, key)
        broken = client.post(
            "/create",
            content=b"--x\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--x--\r\n",
            headers={"content-type": "multipart/form-data; boundary=x", "accept": "text/html"},
        )

    assert broken.status_code == 400, broken.text
    assert broken.headers["content-type"].startswith("text/html")
    assert "Bad request" in broken.text
