"""The studio in a real browser: the system's chromium driven by Playwright, a studio server on
loopback, and the checks every page gets (a screenshot, axe, no sideways scrolling at 390 px).

Playwright cannot download its own browsers here: it drives Debian's `chromium`. Without it the
browser tests skip, saying how to install it, except under CI=true, where they fail."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.entrypoints.http.app import StudioFactory, create_app
from imagestudio.entrypoints.settings import Profile, Settings

ADMIN = "admin-secret-for-browser-tests"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
"""Where each journey leaves a picture of its last page, for a person to look at (git-ignored)."""
PHONE_WIDTH = 390
BLOCKING_IMPACTS = ("serious", "critical")


def chromium_path() -> str:
    """The system's chromium; the test is skipped (failed under CI=true) without one."""
    found = os.environ.get("IMAGESTUDIO_CHROMIUM") or shutil.which("chromium")
    if found is None and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if found is None:
        message = "no chromium for the browser tests: install it with `apt-get install chromium`"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


@contextmanager
def launched_browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Studio:
    """A served studio: its base URL and the keys of the users made for the test."""

    base_url: str
    keys: dict[str, str] = field(default_factory=dict)

    def admin(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30
        )

    def api(self, key: str) -> httpx.Client:
        """The API as the user whose key this is (bearer: the pages' cookie opens no `/v1`)."""
        return httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30
        )

    def add_user(self, user: str, plan: str = "pro") -> str:
        with self.admin() as admin:
            made = admin.post("/v1/admin/users", json={"user_id": user, "plan": plan})
            assert made.status_code == 201, made.text
        self.keys[user] = made.json()["api_key"]
        return self.keys[user]

    def url(self, path: str) -> str:
        return self.base_url + path


@contextmanager
def serving_studio(
    data_dir: Path, studio: StudioFactory | None = None, **overrides: Any
) -> Iterator[Studio]:
    """The app `imagestudio serve` runs (local profile: SQLite and files under `data_dir`, the
    offline provider), on loopback."""
    settings = Settings(profile=Profile.LOCAL, data_dir=data_dir, admin_key=ADMIN, **overrides)
    app = create_app(settings) if studio is None else create_app(settings, studio)
    with ServedApp(app, lifespan="on", name="studio-pages") as served:
        yield Studio(served.base_url)


def sign_in(page: Page, studio: Studio, key: str) -> None:
    page.goto(studio.url("/sign-in"))
    page.get_by_label("Your API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def screenshot(page: Page, name: str) -> Path:
    """A full-page picture of where the journey ended, in `screenshots/`."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_findings(page: Page) -> list[str]:
    """The page's serious and critical accessibility findings (axe-core), one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def sideways_overflow(page: Page) -> int:
    """How many pixels the page is wider than a 390 px phone screen (0 when it fits); the
    viewport is put back afterwards."""
    before = page.viewport_size
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    try:
        width = int(page.evaluate("document.documentElement.scrollWidth"))
        return max(0, width - PHONE_WIDTH)
    finally:
        if before is not None:
            page.set_viewport_size(before)


def check_page(page: Page, name: str) -> None:
    """What every page gets: a screenshot, no serious or critical axe finding, and no
    horizontal scrolling at 390 px."""
    screenshot(page, name)
    assert axe_findings(page) == [], f"accessibility findings on {page.url}"
    assert sideways_overflow(page) == 0, f"{page.url} scrolls sideways at {PHONE_WIDTH} px"
