"""An operation's page in a real browser while it runs: one live region that a screen reader
hears once per change of status (the poll never replaces it), and a Cancel button that stays
under the keyboard while the page polls and releases what the operation held."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest
from browser_support import Studio, check_page, serving_studio, sign_in
from dependency_injector import providers
from playwright.sync_api import Page, expect

from imagestudio.adapters.offline_provider.provider import OfflineProvider
from imagestudio.application.ports.provider import ProviderJob, ProviderOutcome, SubmissionReport
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.container import build_container
from imagestudio.entrypoints.settings import Settings

PRICE = Decimal("0.02")
SLOW_SECONDS = 3.0
QUEUED = "[queued]"
QUEUE_SECONDS = 30.0


class QueuedOffline(OfflineProvider):
    """The offline provider behind a queue: a prompt with `[queued]` waits its turn before its
    request is sent, as one held at a provider's rate limiter does (a cancel then comes before
    anything could be billed)."""

    async def run(self, job: ProviderJob, report: SubmissionReport) -> ProviderOutcome:
        if QUEUED in job.prompt:
            await asyncio.sleep(QUEUE_SECONDS)
        return await super().run(job, report)


async def queued_studio(settings: Settings) -> ImageStudio:
    container = build_container(settings)
    provider = QueuedOffline(
        folder=settings.profile_dir / "offline-tasks", slow_seconds=SLOW_SECONDS
    )
    container.offline_provider.override(providers.Object(provider))
    return await ImageStudio(container).start()


@pytest.fixture(scope="module")
def studio(browser_data: Path) -> Iterator[Studio]:
    with serving_studio(browser_data, queued_studio, offline_price_usd=PRICE) as served:
        yield served


def run(page: Page, studio: Studio, prompt: str) -> None:
    page.goto(studio.url("/create"))
    page.get_by_label("Prompt", exact=True).fill(prompt)
    expect(page.locator("[data-quote=ready] .price")).to_have_text("$0.02")
    page.get_by_role("button", name="Run").click()
    expect(page).to_have_url(re.compile(r"/operations/op_\w+$"))


def spend(studio: Studio, key: str) -> tuple[str, str]:
    """(used, held) of the user's spend cap, as `GET /v1/usage` says."""
    with studio.api(key) as api:
        rows = api.get("/v1/usage").json()["rows"]
    row = next(row for row in rows if row["unit"] == "micro-usd")
    return row["used"], row["held"]


WATCH_LIVE_REGION = """live => {
  window.watchedLive = live;
  window.liveTexts = [];
  window.polls = 0;
  new MutationObserver(() => window.liveTexts.push(live.textContent.trim()))
    .observe(live, {childList: true, subtree: true, characterData: true});
  document.body.addEventListener("htmx:afterSwap", () => { window.polls += 1; });
}"""


def test_one_live_region_changes_only_when_the_status_does(page: Page, studio: Studio) -> None:
    sign_in(page, studio, studio.add_user("iris"))
    run(page, studio, "a slow lighthouse [offline:slow]")
    live = page.locator("[aria-live]", has=page.locator("[data-status]"))
    expect(live).to_have_count(1)
    expect(live).to_have_attribute("role", "status")
    expect(live).to_have_attribute("aria-live", "polite")
    expect(page.locator("[data-status]")).not_to_have_text("succeeded")  # still running
    live.evaluate(WATCH_LIVE_REGION)

    expect(page.locator("[data-status]")).to_have_text(
        "succeeded", timeout=SLOW_SECONDS * 1000 + 15_000
    )

    assert page.evaluate("window.polls") >= 2  # the page polled while it was watched
    # The region the screen reader follows is the one it was at first, never replaced...
    assert live.evaluate("live => live === window.watchedLive && live.isConnected")
    # ...and each change to it says something new: no poll rewrote it with the same words.
    texts: list[str] = page.evaluate("window.liveTexts")
    assert texts and texts[-1] == "Status: succeeded", texts
    assert all(before != after for before, after in pairwise(texts)), texts
    expect(page.get_by_role("list", name="Results").get_by_role("img")).to_have_count(1)
    expect(page.get_by_role("button", name="Cancel")).to_have_count(0)
    check_page(page, "operation-live-settled")


def test_cancel_from_the_keyboard_releases_what_it_held(page: Page, studio: Studio) -> None:
    key = studio.add_user("jack")
    sign_in(page, studio, key)
    run(page, studio, f"a lighthouse waiting its turn {QUEUED}")
    expect(page.locator("[data-status]")).to_have_text("reserved")
    assert spend(studio, key) == ("$0.00", "$0.02")
    cancel = page.get_by_role("button", name="Cancel")
    cancel.focus()
    polled = page.wait_for_event("response", lambda answer: "/status?" in answer.url)
    assert polled.status == 200
    page.wait_for_timeout(300)  # the poll's answer swapped in
    expect(cancel).to_be_focused()  # the poll left the button, and the keyboard, where they were
    check_page(page, "operation-cancellable")

    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/operations/op_\w+$"))
    expect(page.locator("[data-status]")).to_have_text("cancelled")
    expect(page.get_by_role("button", name="Cancel")).to_have_count(0)
    expect(page.locator(".operation .facts")).to_contain_text("$0.00")
    assert spend(studio, key) == ("$0.00", "$0.00")
    check_page(page, "operation-cancelled")
    # A second cancel (another tab, a double click) only shows how it ended.
    again = page.request.post(
        page.url + "/cancel", form={"csrf_token": csrf(page)}, max_redirects=0
    )
    assert again.status == 303


def test_cancel_needs_the_sessions_token_and_the_users_own_operation(
    page: Page, studio: Studio
) -> None:
    owner = studio.add_user("kate")
    sign_in(page, studio, owner)
    run(page, studio, f"kate's lighthouse {QUEUED}")
    mine = page.url
    forged = page.request.post(mine + "/cancel", form={"csrf_token": "0" * 64})
    assert forged.status == 403
    page.context.clear_cookies()
    sign_in(page, studio, studio.add_user("liam"))
    page.goto(studio.url("/create"))
    theirs = page.request.post(mine + "/cancel", form={"csrf_token": csrf(page)})
    assert theirs.status == 404
    page.context.clear_cookies()
    sign_in(page, studio, owner)
    page.goto(mine)
    expect(page.locator("[data-status]")).to_have_text("reserved")  # untouched by either
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("[data-status]")).to_have_text("cancelled")


def csrf(page: Page) -> str:
    return str(page.locator("[name=csrf_token]").first.input_value())


def test_another_user_signing_in_from_another_tab_reloads_the_page(
    page: Page, studio: Studio
) -> None:
    """Two tabs of one browser share the session cookie: once another user signs in from the
    second, the first tab's poll reloads it whole (their page, not the other's with a refusal
    in the middle)."""
    mona = studio.add_user("mona")
    sign_in(page, studio, mona)
    run(page, studio, f"mona's lighthouse {QUEUED}")
    operation_id = page.url.rsplit("/", 1)[-1]
    expect(page.locator("[data-status]")).to_have_text("reserved")
    other = page.context.new_page()
    sign_in(other, studio, studio.add_user("nils"))
    expect(other.locator(".who")).to_have_text("nils")

    expect(page.locator(".who")).to_have_text("nils")  # reloaded as the session now is
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("not found", re.I))
    other.close()
    with studio.api(mona) as api:  # not left queued for the server's shutdown to wait on
        assert api.post(f"/v1/operations/{operation_id}/cancel").status_code == 200
