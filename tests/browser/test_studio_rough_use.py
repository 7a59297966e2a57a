"""The studio used roughly, from outside, in a real browser: a double click on Run, a form sent
again, a mistyped address, an upload past the server's limit, and the pages with JavaScript off.
Each must cost nothing it should not and answer in HTML a person can read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from browser_support import Studio, check_page, screenshot, serving_studio, sign_in
from dependency_injector import providers
from playwright.sync_api import Browser, Page, expect

from imagestudio.adapters.offline_provider.provider import OfflineProvider
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.container import build_container
from imagestudio.entrypoints.settings import Settings

PRICE = Decimal("0.02")
BODY_LIMIT = 1024 * 1024


SLOW_SECONDS = 2.0


async def slowed_studio(settings: Settings) -> ImageStudio:
    """The studio with an offline provider whose `[offline:slow]` prompts take seconds."""
    container = build_container(settings)
    slow = OfflineProvider(folder=settings.profile_dir / "offline-tasks", slow_seconds=SLOW_SECONDS)
    container.offline_provider.override(providers.Object(slow))
    return await ImageStudio(container).start()


@pytest.fixture(scope="module")
def studio(browser_data: Path) -> Iterator[Studio]:
    with serving_studio(
        browser_data, slowed_studio, offline_price_usd=PRICE, http_max_request_bytes=BODY_LIMIT
    ) as served:
        yield served


def operations(studio: Studio, key: str) -> list[str]:
    with studio.api(key) as api:
        return [item["id"] for item in api.get("/v1/operations").json()["items"]]


def spent(studio: Studio, key: str) -> tuple[str, str]:
    with studio.api(key) as api:
        rows = api.get("/v1/usage").json()["rows"]
    row = next(row for row in rows if row["unit"] == "micro-usd")
    return row["used"], row["held"]


def test_a_double_click_on_run_runs_and_charges_once(page: Page, studio: Studio) -> None:
    key = studio.add_user("mia")
    sign_in(page, studio, key)
    page.goto(studio.url("/create"))
    # Slow: the first answer takes a moment (the run is followed for a refusal first).
    page.get_by_label("Prompt", exact=True).fill("a lighthouse, clicked twice [offline:slow]")
    expect(page.locator("[data-quote=ready] .price")).to_have_text("$0.02")
    posts: list[str] = []
    page.on("request", lambda sent: posts.append(sent.url) if sent.method == "POST" else None)
    # Clicked as a person does (Playwright's own click waits for the page to go first), the
    # second while the first answer has not come and the page is still there.
    page.get_by_role("button", name="Run").evaluate(
        "button => { button.click(); setTimeout(() => button.click(), 150); }"
    )

    expect(page).to_have_url(re.compile(r"/operations/op_\w+$"))
    assert posts.count(studio.url("/create")) == 2  # both reached the server
    expect(page.locator("[data-status]")).to_have_text(
        "succeeded", timeout=SLOW_SECONDS * 1000 + 15_000
    )
    assert len(operations(studio, key)) == 1
    assert spent(studio, key) == ("$0.02", "$0.00")


def test_a_form_sent_again_follows_its_first_run(page: Page, studio: Studio) -> None:
    key = studio.add_user("noah")
    sign_in(page, studio, key)
    page.goto(studio.url("/create"))
    form = page.locator("#create-form")
    fields = {
        name: str(form.locator(f"[name={name}]").input_value())
        for name in ("csrf_token", "run_id", "model", "n")
    }
    fields["prompt"] = "a lighthouse, sent twice"
    first = page.request.post(studio.url("/create"), form=fields, max_redirects=0)
    again = page.request.post(studio.url("/create"), form=fields, max_redirects=0)
    assert (first.status, again.status) == (303, 303)
    assert first.headers["location"] == again.headers["location"]
    assert len(operations(studio, key)) == 1
    # A new rendering of the form is a new run.
    page.goto(studio.url("/create"))
    assert page.locator("[name=run_id]").input_value() != fields["run_id"]


def test_an_upload_past_the_servers_limit_is_told_in_a_page(page: Page, studio: Studio) -> None:
    key = studio.add_user("olga")
    sign_in(page, studio, key)
    page.goto(studio.url("/upscale"))
    page.locator("#image").set_input_files(
        files=[{"name": "huge.png", "mimeType": "image/png", "buffer": b"\x89PNG" * BODY_LIMIT}]
    )
    page.get_by_role("button", name="Run").click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Request too large")
    expect(page.get_by_role("alert")).to_contain_text(f"{BODY_LIMIT} bytes")
    page.get_by_role("link", name="Back to the form").click()
    expect(page).to_have_url(studio.url("/upscale"))
    assert operations(studio, key) == []
    check_page(page, "upload-too-large")


def test_a_mistyped_address_or_method_is_a_page_not_json(page: Page, studio: Studio) -> None:
    sign_in(page, studio, studio.add_user("pete"))
    missing = page.goto(studio.url("/creat"))
    assert missing is not None and missing.status == 404
    assert "text/html" in missing.headers["content-type"]
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("not found", re.I))
    check_page(page, "page-not-found")
    wrong = page.goto(studio.url("/sign-out"))  # a form's action, opened as a link
    assert wrong is not None and wrong.status == 405
    assert "text/html" in wrong.headers["content-type"]
    # The API stays JSON for its clients, whatever they accept.
    api = page.request.get(studio.url("/v1/nothing-here"), headers={"accept": "text/html"})
    assert api.status == 404 and "json" in api.headers["content-type"]


def test_the_pages_work_without_javascript(browser: Browser, studio: Studio) -> None:
    """Sign in, a priced form (the quote comes with the page), a run followed by reloading, a
    tool page, and Cancel: all plain HTML forms and links."""
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    try:
        key = studio.add_user("quinn")
        sign_in(page, studio, key)
        expect(page).to_have_url(re.compile(r"/create$"))
        expect(page.locator("[data-quote=ready] .price")).to_have_text("$0.02")
        page.get_by_label("Prompt", exact=True).fill("a lighthouse without scripts")
        page.get_by_role("button", name="Run").click()
        expect(page).to_have_url(re.compile(r"/operations/op_\w+$"))
        for _ in range(40):  # no poll without scripts: the reader reloads
            if page.locator("[data-status]").inner_text() == "succeeded":
                break
            page.wait_for_timeout(250)
            page.reload()
        expect(page.locator("[data-status]")).to_have_text("succeeded")
        made = page.get_by_role("list", name="Results").get_by_role("link", name="Upscale").first
        made.click()
        expect(page.locator("[data-quote=ready] .price")).to_have_text("$0.02")
        page.get_by_label("Scale").fill("2")
        page.get_by_role("button", name="Run").click()
        expect(page).to_have_url(re.compile(r"/operations/op_\w+$"))

        page.goto(studio.url("/create"))
        page.get_by_label("Prompt", exact=True).fill("a slow one [offline:slow]")
        page.get_by_role("button", name="Run").click()
        expect(page.get_by_role("link", name="Reload")).to_be_visible()
        page.get_by_role("button", name="Cancel").click()
        # Cancelled once sent to the provider: held until its answer is known, never charged.
        expect(page.locator("[data-status]")).to_have_text(re.compile("^(cancelled|unknown)$"))
        expect(page.get_by_role("button", name="Cancel")).to_have_count(0)
        screenshot(page, "no-javascript-cancelled")
    finally:
        context.close()


def test_back_to_the_form_runs_anew_and_forward_returns(page: Page, studio: Studio) -> None:
    """Back from an operation's page is the form to run again (a new run, not the first one
    followed again); Forward is the operation's page again."""
    key = studio.add_user("rosa")
    sign_in(page, studio, key)
    page.goto(studio.url("/create"))
    first_token = page.locator("[name=run_id]").input_value()
    page.get_by_label("Prompt", exact=True).fill("a lighthouse, then another")
    page.get_by_role("button", name="Run").click()
    expect(page).to_have_url(re.compile(r"/operations/op_\w+$"))
    first = page.url

    page.go_back()
    expect(page).to_have_url(studio.url("/create"))
    assert page.locator("[name=run_id]").input_value() != first_token
    page.get_by_label("Prompt", exact=True).fill("a lighthouse, the second")
    page.get_by_role("button", name="Run").click()
    expect(page).to_have_url(re.compile(r"/operations/op_\w+$"))
    assert page.url != first
    assert len(operations(studio, key)) == 2

    page.go_back()
    page.go_forward()
    expect(page.locator("[data-status]")).to_have_text("succeeded")


def test_a_double_click_on_a_local_run_does_the_work_once(page: Page, studio: Studio) -> None:
    key = studio.add_user("sven")
    with studio.api(key) as api:
        made = api.post(
            "/v1/operations",
            json={"kind": "text-to-image", "prompt": "a harbour", "width": 1344, "height": 768},
        )
        assert made.status_code == 200, made.text
    source = made.json()["assets"][0]["id"]
    sign_in(page, studio, key)
    page.goto(studio.url(f"/compress?asset={source}"))
    page.get_by_label("Quality").fill("40")
    posts: list[str] = []
    page.on("request", lambda sent: posts.append(sent.url) if sent.method == "POST" else None)
    page.get_by_role("button", name="Run").evaluate(
        "button => { button.click(); setTimeout(() => button.click(), 40); }"
    )

    expect(page).to_have_url(re.compile(r"/operations/op_\w+$"))
    expect(page.locator("[data-status]")).to_have_text("succeeded")
    assert posts.count(studio.url("/compress")) == 2  # both reached the server
    assert len(operations(studio, key)) == 2  # the picture, and one compression
    with studio.api(key) as api:
        assert len(api.get("/v1/assets").json()["items"]) == 2
