"""The Usage and Admin pages in a real browser: a user's bars and daily chart after an operation,
the bars moving after another, the ledger and its CSV export; the admin defining a plan, moving
a user onto it (the user's limit changes), issuing and revoking a key (its session ends),
setting a budget and seeing its spend, adjusting a charge (it shows in the user's ledger), and
a user refused the admin pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from browser_support import ADMIN, Studio, check_page, serving_studio, sign_in
from playwright.sync_api import Browser, Page, expect


@pytest.fixture(scope="module")
def studio(browser_data: Path) -> Iterator[Studio]:
    """Offline models at $0.02 an image: charges, spend and the operator's cost show."""
    with serving_studio(browser_data, offline_price_usd=Decimal("0.02")) as served:
        yield served


def run_operation(studio: Studio, key: str, prompt: str) -> str:
    with studio.api(key) as api:
        made = api.post("/v1/operations", json={"kind": "text-to-image", "prompt": prompt})
    assert made.status_code == 200, made.text
    return str(made.json()["id"])


def user_page(browser: Browser, studio: Studio, key: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    sign_in(page, studio, key)
    return page


def test_usage_bars_move_and_the_ledger_exports_its_lines(
    page: Page, studio: Studio, tmp_path: Path
) -> None:
    key = studio.add_user("uma")
    first = run_operation(studio, key, "a red kite")
    sign_in(page, studio, key)
    page.goto(studio.url("/usage"))

    generation = page.locator("#usage-image-generation")
    expect(generation.locator(".used")).to_have_text("1 used")
    expect(generation.locator(".limit")).to_have_text("100")
    expect(generation.get_by_role("meter")).to_have_attribute("value", "1")
    expect(page.locator("#usage-spend .used")).to_have_text("$0.02 used")
    expect(page.locator("#spend-against-cap")).to_contain_text("$0.02 spent of $100.00")
    expect(page.locator(".chart svg title").first).to_contain_text("Spend per day")
    expect(page.locator("#ledger tbody tr")).to_have_count(1)
    check_page(page, "usage")

    second = run_operation(studio, key, "a blue kite")
    page.reload()
    expect(generation.locator(".used")).to_have_text("2 used")
    expect(generation.get_by_role("meter")).to_have_attribute("value", "2")
    expect(page.locator("#usage-spend .used")).to_have_text("$0.04 used")
    expect(page.locator("#ledger tbody tr")).to_have_count(2)

    with page.expect_download() as waited:
        page.get_by_role("link", name="Download this period as CSV").click()
    saved = tmp_path / "usage.csv"
    waited.value.save_as(saved)
    exported = saved.read_text()
    assert exported.startswith("finished_at,") and first in exported and second in exported

    response = page.goto(studio.url("/admin/plans"))
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not for this session")


def test_the_admin_changes_plans_keys_budgets_and_charges(
    page: Page, browser: Browser, studio: Studio
) -> None:
    key = studio.add_user("vic")
    run_operation(studio, key, "a green kite")
    user = user_page(browser, studio, key)
    user.goto(studio.url("/usage"))
    expect(user.locator("#usage-image-generation .limit")).to_have_text("100")

    sign_in(page, studio, ADMIN)
    page.goto(studio.url("/admin/plans"))
    page.get_by_label("Name").fill("tiny")
    page.get_by_label("Spend cap per period, dollars").fill("2.50")
    page.get_by_label("image-generation").fill("7")
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_role("status")).to_contain_text("The plan was saved")
    expect(page.locator("#plan-tiny")).to_contain_text("image-generation 7")
    check_page(page, "admin-plans")

    page.goto(studio.url("/admin/users"))
    row = page.locator("#user-vic")
    row.get_by_label("Plan of vic").select_option("tiny")
    row.get_by_role("button", name="Set plan").click()
    expect(page.get_by_role("status")).to_contain_text("plan was changed")
    expect(page.locator("#user-vic .plan")).to_have_text("tiny")
    check_page(page, "admin-users")
    user.reload()
    expect(user.locator("#usage-image-generation .limit")).to_have_text("7")
    expect(user.locator("#spend-against-cap")).to_contain_text("of $2.50")

    # A charge written by hand, with its reason, lands in the user's ledger.
    page.goto(studio.url("/admin/users/vic"))
    page.get_by_label("Amount, dollars").fill("0.25")
    page.get_by_label("Reason").fill("manual correction 42")
    page.get_by_role("button", name="Write adjustment").click()
    expect(page.get_by_role("status")).to_contain_text("written to the user's ledger")
    check_page(page, "admin-user")
    user.reload()
    expect(user.locator("#ledger")).to_contain_text("manual correction 42")

    # A new key is shown once; the old key's session is over, and so is the new key's once
    # the admin revokes it.
    page.get_by_role("button", name="Issue a new key").click()
    new_key = page.get_by_label("API key").input_value()
    assert new_key.startswith("isk_") and new_key != key
    check_page(page, "admin-key")
    user.goto(studio.url("/usage"))
    expect(user).to_have_url(re.compile(r"/sign-in\?next=/usage$"))
    sign_in(user, studio, new_key)
    page.goto(studio.url("/admin/users/vic"))
    page.locator("#keys tr", has_text="live").get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status")).to_contain_text("The key was revoked")
    expect(page.locator("#keys .status-live")).to_have_count(0)
    user.goto(studio.url("/usage"))
    expect(user).to_have_url(re.compile(r"/sign-in\?next=/usage$"))
    user.context.close()

    # A budget, and this month's spend against it once an operation ran.
    page.goto(studio.url("/admin/budgets"))
    provider = page.get_by_label("Provider").locator("option").first.inner_text()
    page.get_by_label("Monthly budget, dollars").fill("300.00")
    page.get_by_role("button", name="Set budget").click()
    expect(page.get_by_role("status")).to_contain_text("The budget was set")
    budget = page.locator(f"#budget-{provider}")
    expect(budget).to_contain_text("$300.00")
    run_operation(studio, studio.add_user("wes"), "a yellow kite")
    page.reload()
    expect(budget.locator(".spent")).not_to_have_text("$0.00")
    check_page(page, "admin-budgets")

    page.goto(studio.url("/admin/waiting"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Waiting operations")
    check_page(page, "admin-waiting")


def test_reloading_the_new_key_page_issues_no_second_key(page: Page, studio: Studio) -> None:
    """The key is shown once, on the answer to a POST: a reload (or Back to it) sends the form
    again, and must not revoke the key just shown and issue another in its place."""
    studio.add_user("kim")
    sign_in(page, studio, ADMIN)
    page.goto(studio.url("/admin/users/kim"))
    page.get_by_role("button", name="Issue a new key").click()
    shown = page.get_by_label("API key").input_value()

    resent = page.reload()
    assert resent is not None and resent.request.method == "POST" and resent.status == 409
    expect(page.get_by_role("alert")).to_contain_text("no key was issued or revoked")
    check_page(page, "admin-key-resent")
    with studio.api(shown) as api:
        assert api.get("/v1/usage").status_code == 200  # the key shown still opens the API
    with studio.admin() as admin:
        live = [key for key in admin.get("/v1/admin/users/kim/keys").json() if key["live"]]
    assert [key["prefix"] for key in live] == [shown[: len(live[0]["prefix"])]]
    # From the keys page, a fresh form issues the next key as before.
    page.goto(studio.url("/admin/users/kim"))
    page.get_by_role("button", name="Issue a new key").click()
    assert page.get_by_label("API key").input_value() not in {"", shown}
