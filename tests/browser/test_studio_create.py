"""Creating in a real browser: the live quote before running, results as a grid with links to
send each on, a slow job watched until it settles, a refusal that says whose limit and charges
nothing, and one user who sees none of another's operations or files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from browser_support import Studio, check_page, screenshot, serving_studio, sign_in
from dependency_injector import providers
from playwright.sync_api import Page, expect

from imagestudio.adapters.offline_provider.provider import OfflineProvider
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.container import build_container
from imagestudio.entrypoints.settings import Settings

SLOW_SECONDS = 3.0
PRICE = Decimal("0.02")


async def slowed_studio(settings: Settings) -> ImageStudio:
    """The studio with an offline provider whose `[offline:slow]` prompts take seconds."""
    container = build_container(settings)
    slow = OfflineProvider(folder=settings.profile_dir / "offline-tasks", slow_seconds=SLOW_SECONDS)
    container.offline_provider.override(providers.Object(slow))
    return await ImageStudio(container).start()


@pytest.fixture(scope="module")
def studio(browser_data: Path) -> Iterator[Studio]:
    """Offline models at $0.02 an image, so prices and limits show."""
    with serving_studio(browser_data, slowed_studio, offline_price_usd=PRICE) as served:
        yield served


def run_from_create(page: Page, studio: Studio, prompt: str, variations: int) -> None:
    page.goto(studio.url("/create"))
    page.get_by_label("Prompt", exact=True).fill(prompt)
    page.get_by_label("Size or aspect ratio").select_option("512x512")
    page.get_by_label("Variations").fill(str(variations))
    price = f"${PRICE * variations:.2f}"
    expect(page.locator("[data-quote=ready] .price")).to_have_text(price)
    page.get_by_role("button", name="Run").click()


def test_generating_shows_the_quote_first_then_the_results(page: Page, studio: Studio) -> None:
    sign_in(page, studio, studio.add_user("alice"))
    page.get_by_label("Prompt", exact=True).fill("a red fox in snow")
    page.get_by_label("Negative prompt").fill("people")
    expect(page.locator("[data-quote=ready] .price")).to_have_text("$0.02")
    page.get_by_label("Variations").fill("3")  # the quote follows the form
    expect(page.locator("[data-quote=ready] .price")).to_have_text("$0.06")
    check_page(page, "create-quoted")

    page.get_by_role("button", name="Run").click()

    expect(page).to_have_url(re.compile(r"/operations/op_\w+$"))
    expect(page.locator("[data-status]")).to_have_text("succeeded")
    images = page.get_by_role("list", name="Results").get_by_role("img")
    expect(images).to_have_count(3)
    for image in images.all():
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") == 1024  # the model's default size
    expect(page.get_by_role("link", name="Edit").first).to_have_attribute(
        "href", re.compile(r"/edit\?asset=ast_\w+$")
    )
    check_page(page, "operation-results")

    page.get_by_role("link", name="Operations").click()
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page.locator("table.list")).to_contain_text("succeeded")
    check_page(page, "operations")


def test_a_slow_job_is_watched_until_it_settles(page: Page, studio: Studio) -> None:
    sign_in(page, studio, studio.add_user("erin"))
    run_from_create(page, studio, "a slow lighthouse [offline:slow]", 1)

    expect(page).to_have_url(re.compile(r"/operations/op_\w+$"))
    status = page.locator("[data-status]")
    expect(status).not_to_have_text("succeeded", timeout=1_000)  # still running when shown
    screenshot(page, "operation-running")
    expect(status).to_have_text("succeeded", timeout=SLOW_SECONDS * 1000 + 15_000)
    expect(page.get_by_role("list", name="Results").get_by_role("img")).to_have_count(1)
    screenshot(page, "operation-settled")


def test_a_refusal_says_whose_limit_and_charges_nothing(page: Page, studio: Studio) -> None:
    with studio.admin() as admin:
        tight = {"spend_cap": "0.03", "requests_per_minute": 60, "concurrent_operations": 2}
        assert admin.put("/v1/admin/plans/tight", json=tight).status_code in (200, 201)
    key = studio.add_user("dave", plan="tight")
    sign_in(page, studio, key)

    run_from_create(page, studio, "two foxes", 2)  # $0.04 against a $0.03 cap

    # The form again, the refusal above it (where the keyboard is put), the request kept.
    refusal = page.get_by_role("alert")
    expect(refusal.get_by_role("heading")).to_have_text(
        "Your plan's limit for this period is reached"
    )
    expect(refusal).to_be_focused()
    expect(page.get_by_label("Prompt", exact=True)).to_have_value("two foxes")
    expect(page.get_by_label("Variations")).to_have_value("2")
    facts = refusal.locator(".facts")
    expect(facts).to_contain_text("Whose limit")
    expect(facts).to_contain_text("your plan's")
    expect(facts).to_contain_text("Clears")
    check_page(page, "refused")
    with studio.api(key) as api:
        usage = api.get("/v1/usage").json()
    spend = next(row for row in usage["rows"] if row["unit"] == "micro-usd")
    assert (spend["used"], spend["held"]) == ("$0.00", "$0.00"), spend
    page.goto(studio.url("/operations"))
    expect(page.get_by_text("No operations yet")).to_be_visible()


def test_a_second_user_sees_none_of_the_first_users_work(page: Page, studio: Studio) -> None:
    frank = studio.keys.get("frank") or studio.add_user("frank")
    with studio.api(frank) as api:
        made = api.post("/v1/operations", json={"kind": "text-to-image", "prompt": "frank's boat"})
    assert made.status_code == 200, made.text
    operation_id, asset_id = made.json()["id"], made.json()["assets"][0]["id"]

    sign_in(page, studio, studio.add_user("grace"))
    page.goto(studio.url("/operations"))
    expect(page.get_by_text("No operations yet")).to_be_visible()
    check_page(page, "operations-empty")
    assert "frank" not in page.content()
    shown = page.goto(studio.url(f"/operations/{operation_id}"))
    assert shown is not None and shown.status == 404
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile("not found", re.IGNORECASE))
    check_page(page, "operation-not-found")
    assert page.request.get(studio.url(f"/files/{asset_id}")).status == 404
    assert page.request.get(studio.url(f"/operations/{operation_id}/status")).status == 404


WATCH_QUOTE_SAID = """live => {
  window.quoteSaid = [];
  new MutationObserver(() => window.quoteSaid.push(live.textContent.trim()))
    .observe(live, {childList: true, subtree: true, characterData: true});
}"""


def test_a_new_price_is_announced_once_not_the_quote_at_every_keystroke(
    page: Page, studio: Studio
) -> None:
    sign_in(page, studio, studio.add_user("hana"))
    expect(page.locator("[data-quote=ready] .price")).to_have_text("$0.02")
    live = page.locator("#quote-live")
    expect(live).to_have_attribute("aria-live", "polite")
    expect(live).to_have_attribute("role", "status")
    # The quote swapped in as the form changes holds no live region of its own.
    quiet = "#quote [aria-live], #quote [role=alert], #quote [role=status]"
    expect(page.locator(quiet)).to_have_count(0)
    live.evaluate(WATCH_QUOTE_SAID)

    prompt = page.get_by_label("Prompt", exact=True)
    for words in ("a fox", "a fox in snow", "a fox in deep snow"):
        with page.expect_response(lambda answer: answer.url.endswith("/create/quote")):
            prompt.fill(words)
    page.wait_for_timeout(300)
    assert page.evaluate("window.quoteSaid") == []  # the price is the same: nothing to say
    with page.expect_response(lambda answer: answer.url.endswith("/create/quote")):
        page.get_by_label("Variations").fill("3")

    expect(page.locator("[data-quote=ready] .price")).to_have_text("$0.06")
    expect(live).to_have_text("Price now $0.06")
    page.wait_for_timeout(300)
    assert page.evaluate("window.quoteSaid") == ["Price now $0.06"]
    expect(page.locator(quiet)).to_have_count(0)
