"""Fixtures of the browser journeys: one chromium and one studio server per module, and a fresh
browser context (cookies and all) per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import Studio, launched_browser, serving_studio
from playwright.sync_api import Browser, Page, expect

# The machine may be shared and busy: give the pages time before an expectation fails.
expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # One per module, never per session: Playwright's sync API runs an event loop in this
    # thread while it is open, and the async tests that run after the browser tests need the
    # thread free of it.
    with launched_browser() as launched:
        yield launched


@pytest.fixture(scope="module")
def browser_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The module's studio data folder (its SQLite database and asset files)."""
    return tmp_path_factory.mktemp("studio")


@pytest.fixture(scope="module")
def studio(browser_data: Path) -> Iterator[Studio]:
    with serving_studio(browser_data) as served:
        yield served


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()
