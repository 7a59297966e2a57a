"""Signing in to the studio in a real browser: with a key, with the one-time link, the admin
gate; the session cookie holds no key and opens no `/v1` route; forms without their CSRF token
are refused; revoking the key ends the session; `/docs` and `/redoc` load with no network."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from browser_support import ADMIN, Studio, check_page, screenshot, sign_in
from playwright.sync_api import Page, Route, expect

from imagestudio.entrypoints.settings import Profile, Settings
from imagestudio.entrypoints.sign_in_link import issue_link


def test_signing_in_with_a_key_opens_create_and_keeps_no_key_in_the_browser(
    page: Page, studio: Studio
) -> None:
    key = studio.add_user("alice")
    page.goto(studio.url("/"))
    expect(page).to_have_url(re.compile(r"/sign-in"))
    check_page(page, "sign-in")

    sign_in(page, studio, key)

    expect(page).to_have_url(re.compile(r"/create$"))
    expect(page.locator(".who")).to_have_text("alice")
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    session = cookies["imagestudio_session"]
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    assert key not in str(page.context.cookies()) and key not in page.url
    stored = page.evaluate("JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")
    assert key not in stored and "isk_" not in stored
    # The cookie is for pages only: the API answers it as if no key were sent.
    assert page.request.get(studio.url("/v1/operations")).status == 401
    check_page(page, "create")


def test_a_wrong_key_is_refused_on_the_sign_in_page(page: Page, studio: Studio) -> None:
    sign_in(page, studio, "isk_not-a-key-anybody-has-0000000000000000000000")
    expect(page.get_by_role("alert")).to_contain_text("unknown or revoked")
    # Told at the field, where the keyboard is put back to try again.
    field = page.get_by_label("Your API key")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile("unknown or revoked"))
    expect(field).to_be_focused()
    assert "imagestudio_session" not in {c["name"] for c in page.context.cookies()}
    screenshot(page, "sign-in-refused")


def test_the_one_time_link_signs_in_once(page: Page, studio: Studio, browser_data: Path) -> None:
    # Issued by another ImageStudio on the same database, as `imagestudio serve` does.
    settings = Settings(profile=Profile.LOCAL, data_dir=browser_data, admin_key=ADMIN)
    # Its own thread: Playwright's sync API keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        token = thread.submit(asyncio.run, issue_link(settings)).result()
    link = studio.url(f"/sign-in/link?token={token}")

    page.goto(link)
    check_page(page, "sign-in-link")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/create$"))
    expect(page.locator(".who")).to_have_text("local")

    page.context.clear_cookies()
    page.goto(link)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("used already or expired")
    screenshot(page, "sign-in-link-used")


def test_a_form_without_its_csrf_token_is_refused(page: Page, studio: Studio) -> None:
    sign_in(page, studio, studio.keys.get("alice") or studio.add_user("alice"))
    page.goto(studio.url("/create"))
    page.get_by_label("Prompt", exact=True).fill("a lighthouse")
    page.evaluate("document.querySelector('#create-form [name=csrf_token]').remove()")
    page.get_by_role("button", name="Run").click()

    # Sent from this site: the form again, with a fresh token, nothing run.
    expect(page.get_by_role("alert").get_by_role("heading")).to_have_text(
        "This form cannot be accepted"
    )
    expect(page.get_by_label("Prompt", exact=True)).to_have_value("a lighthouse")
    check_page(page, "csrf-refused")
    # Nor with another session's token, nor as a bare POST from elsewhere.
    forged = page.request.post(studio.url("/create"), form={"prompt": "x", "csrf_token": "0" * 64})
    assert forged.status == 403
    operations = page.request.get(studio.url("/operations")).text()
    assert "a lighthouse" not in operations


def test_revoking_the_key_ends_its_session(page: Page, studio: Studio) -> None:
    key = studio.add_user("carol")
    sign_in(page, studio, key)
    expect(page).to_have_url(re.compile(r"/create$"))

    with studio.admin() as admin:
        assert admin.delete(f"/v1/admin/keys/{key}").status_code == 200

    page.goto(studio.url("/operations"))
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/operations$"))
    screenshot(page, "revoked-key-session-ended")


def test_the_admin_key_opens_the_admin_pages_and_only_it(page: Page, studio: Studio) -> None:
    sign_in(page, studio, ADMIN)
    expect(page).to_have_url(re.compile(r"/admin$"))
    check_page(page, "admin")
    page.goto(studio.url("/create"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Not for this session")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    sign_in(page, studio, studio.keys.get("alice") or studio.add_user("alice"))
    response = page.goto(studio.url("/admin"))
    assert response is not None and response.status == 403


def test_docs_and_redoc_load_with_no_network(page: Page, studio: Studio) -> None:
    outside: list[str] = []

    def only_loopback(route: Route) -> None:
        if route.request.url.startswith(studio.base_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    # Their scripts came from this app and run (rendering the whole API takes them long on a
    # busy machine: that is not waited for).
    page.goto(studio.url("/docs"))
    page.wait_for_function("typeof window.SwaggerUIBundle === 'function'")
    expect(page.locator("#swagger-ui")).to_be_attached()
    page.goto(studio.url("/redoc"))
    page.wait_for_function("typeof window.Redoc === 'object'")
    # Its footer (its maker's logo, from their CDN) is drawn once the API is: the page must not
    # try to fetch it.
    expect(page.locator("a[href*='redocly']").first).to_be_attached(timeout=60_000)
    # The logo is an image that takes itself away when it fails to load (as it does when the
    # browser refuses it, or when it is aborted here): once it is gone, the browser has either
    # refused it or asked for it, and only the second reaches `outside`.
    expect(page.locator("img[alt='redocly logo']")).to_have_count(0, timeout=30_000)
    assert outside == []


def test_a_session_ended_mid_form_signs_in_back_to_the_page(page: Page, studio: Studio) -> None:
    """Signed out in another tab while a form is open: the next request the page makes (the
    live quote, an htmx POST) or a link followed goes to the sign-in page, and signing in again
    returns to the page the user was on, its query kept — never to the fragment or the POST's
    action, which a browser can only GET (a bare fragment, or a 405 as JSON)."""
    key = studio.keys.get("alice") or studio.add_user("alice")
    sign_in(page, studio, key)
    page.goto(studio.url("/create"))

    def sign_out_elsewhere() -> None:
        other = page.context.new_page()
        other.goto(studio.url("/create"))
        other.get_by_role("button", name="Sign out").click()
        expect(other).to_have_url(re.compile(r"/sign-in$"))
        other.close()

    sign_out_elsewhere()
    page.get_by_label("Prompt", exact=True).fill("a fox")  # the live quote asks the server
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/create$"))
    sign_in_here = page.get_by_label("Your API key")
    sign_in_here.fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/create$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Create")

    sign_out_elsewhere()
    page.goto(studio.url("/library?favourite=true&tag=sea"))
    page.get_by_label("Your API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/library\?favourite=true&tag=sea$"))
    expect(page.get_by_label("Tag")).to_have_value("sea")


def test_signing_in_over_a_live_or_ended_session_works(page: Page, studio: Studio) -> None:
    """The sign-in form is bound to the visitor cookie, so the session cookie a browser may
    still carry does not refuse it: another user signing in from a tab of the same browser, or
    the user again after their key was rotated (the ended session's cookie is still there)."""
    sign_in(page, studio, studio.keys.get("alice") or studio.add_user("alice"))
    expect(page.locator(".who")).to_have_text("alice")

    other = page.context.new_page()
    sign_in(other, studio, studio.add_user("zoe"))
    expect(other).to_have_url(re.compile(r"/create$"))
    expect(other.locator(".who")).to_have_text("zoe")
    other.close()

    with studio.admin() as admin:
        rotated = admin.post("/v1/admin/users/zoe/keys/rotate")
        assert rotated.status_code == 200, rotated.text
    page.goto(studio.url("/operations"))
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/operations$"))
    assert "imagestudio_session" in {c["name"] for c in page.context.cookies()}
    page.get_by_label("Your API key").fill(rotated.json()["api_key"])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/operations$"))
    expect(page.locator(".who")).to_have_text("zoe")


def test_a_form_left_open_over_a_new_sign_in_is_shown_again_not_lost(
    page: Page, studio: Studio
) -> None:
    """A form whose page was made for an earlier session (signed out and in again in another
    tab) cannot run as it is, but comes back filled in, with a token of the new session."""
    key = studio.keys.get("alice") or studio.add_user("alice")
    sign_in(page, studio, key)
    page.goto(studio.url("/create"))
    with page.expect_response(lambda answer: answer.url.endswith("/create/quote")):
        page.get_by_label("Prompt", exact=True).fill("a lighthouse typed before")
    other = page.context.new_page()
    other.goto(studio.url("/create"))
    other.get_by_role("button", name="Sign out").click()
    sign_in(other, studio, key)
    other.close()

    page.get_by_role("button", name="Run").click()

    refusal = page.get_by_role("alert")
    expect(refusal.get_by_role("heading")).to_have_text("This form cannot be accepted")
    expect(refusal).to_be_focused()
    expect(page.get_by_label("Prompt", exact=True)).to_have_value("a lighthouse typed before")
    assert "a lighthouse typed before" not in page.request.get(studio.url("/operations")).text()
    page.get_by_role("button", name="Run").click()
    expect(page).to_have_url(re.compile(r"/operations/op_\w+$"))
