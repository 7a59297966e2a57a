"""In a real browser, a refused library or admin form is its page again with the refusal at the
field, as the tool pages answer a refused run (test_studio_form_refusals.py): the field focused,
marked invalid, described by the message beside it, what was typed kept, nothing changed; and the
page passes the checks every page gets (axe, no sideways scrolling at 390 px)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from browser_support import ADMIN, Studio, check_page, sign_in
from playwright.sync_api import Page, expect


def assert_field_refused(page: Page, name: str, kept: str) -> None:
    focused = page.locator(":focus")
    expect(focused).to_have_attribute("name", name)
    expect(focused).to_have_attribute("aria-invalid", "true")
    expect(focused).to_have_value(kept)
    message = page.locator(f"[id='{name}-error']")
    expect(message).to_be_visible()
    told = message.inner_text().strip()
    assert told, f"the message for {name} says nothing"
    expect(focused).to_have_accessible_description(re.compile(re.escape(told)))


def submit(page: Page, button: str, within: str | None = None) -> int:
    """Press the form's button (in the region named `within`); the status of the page it
    answers with."""
    place = page if within is None else page.get_by_role("region", name=within)
    with page.expect_response(lambda answer: answer.request.method == "POST") as answered:
        place.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()
    return answered.value.status


def plan(page: Page, studio: Studio) -> tuple[int, str, str]:
    page.goto(studio.url("/admin/plans"))
    page.get_by_label("Name").fill("spare")
    page.get_by_label("Spend cap per period, dollars").fill("lots")
    return submit(page, "Save plan"), "spend_cap", "lots"


def budget(page: Page, studio: Studio) -> tuple[int, str, str]:
    page.goto(studio.url("/admin/budgets"))
    page.get_by_label("Monthly budget, dollars").fill("plenty")
    return submit(page, "Set budget"), "monthly", "plenty"


def adjustment(page: Page, studio: Studio) -> tuple[int, str, str]:
    page.goto(studio.url("/admin/users/local"))
    page.get_by_label("Amount, dollars").fill("a refund")
    page.get_by_label("Reason").fill("it went wrong")
    status = submit(page, "Write adjustment")
    expect(page.get_by_label("Reason")).to_have_value("it went wrong")
    return status, "amount", "a refund"


ADMIN_FORMS: dict[str, Callable[[Page, Studio], tuple[int, str, str]]] = {
    "plan": plan,
    "budget": budget,
    "adjustment": adjustment,
}


@pytest.mark.parametrize("form", ADMIN_FORMS)
def test_an_admin_form_refused_marks_its_field(page: Page, studio: Studio, form: str) -> None:
    sign_in(page, studio, ADMIN)
    with studio.admin() as admin:
        before = admin.get("/v1/admin/plans").json(), admin.get("/v1/admin/budgets").json()

    status, name, kept = ADMIN_FORMS[form](page, studio)

    assert status == 422
    assert_field_refused(page, name, kept)
    with studio.admin() as admin:
        assert (admin.get("/v1/admin/plans").json(), admin.get("/v1/admin/budgets").json()) == (
            before
        )
    check_page(page, f"refused-admin-{form}")


def test_a_label_refused_is_marked_beside_its_field(page: Page, studio: Studio) -> None:
    key = studio.add_user("lena")
    with studio.api(key) as api:
        made = api.post("/v1/operations", json={"kind": "text-to-image", "prompt": "a kite"})
        assert made.status_code == 200, made.text
        asset = made.json()["assets"][0]["id"]
    sign_in(page, studio, key)
    page.goto(studio.url(f"/library/{asset}"))
    page.get_by_label("Add a tag").fill(" padded")

    assert submit(page, "Add", within="Tags") == 422

    assert_field_refused(page, "add_tag", " padded")
    with studio.api(key) as api:
        assert api.get(f"/v1/assets/{asset}/details").json()["tags"] == []
    check_page(page, "refused-library-label")


def test_a_filter_refused_is_marked_in_the_filter_form(page: Page, studio: Studio) -> None:
    key = studio.add_user("milo")
    sign_in(page, studio, key)

    answered = page.goto(studio.url("/library?model=a%01b&tag=sea"))

    assert answered is not None and answered.status == 422
    assert_field_refused(page, "model", "a\x01b")
    expect(page.get_by_label("Tag", exact=True)).to_have_value("sea")
    check_page(page, "refused-library-filter")
