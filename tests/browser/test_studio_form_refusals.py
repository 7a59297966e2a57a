"""A refused run on every tool page (found from the page registry, so a new one is covered
without editing this file) shows the page's form again, never an error page: the values sent
kept, the refused field marked invalid, described by the message beside it and focused; a limit
is shown above the form and focused. The refusal costs nothing: no operation, no charge, no file."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from browser_support import Studio, check_page, serving_studio, sign_in
from fastapi.routing import APIRoute
from playwright.sync_api import Locator, Page, expect

from imagestudio.entrypoints.http.pages.site import ROUTERS

PRICE = Decimal("0.02")
TOO_BIG = "99999999999"


def tool_pages() -> list[str]:
    """Every page that shows a form and runs it on its own path (`GET` and `POST /<tool>`),
    but signing in and the operator's pages."""
    methods: dict[str, set[str]] = defaultdict(set)
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute) and "{" not in route.path:
                methods[route.path] |= route.methods
    return sorted(
        path
        for path, served in methods.items()
        if {"GET", "POST"} <= served and not path.startswith(("/admin", "/sign-in"))
    )


TOOL_PAGES = tool_pages()


@pytest.fixture(scope="module")
def studio(browser_data: Path) -> Iterator[Studio]:
    with serving_studio(browser_data, offline_price_usd=PRICE) as served:
        yield served


@pytest.fixture(scope="module")
def owner(studio: Studio) -> tuple[str, str]:
    """A user with one picture in their library: (key, asset id)."""
    key = studio.add_user("fran")
    with studio.api(key) as api:
        made = api.post("/v1/operations", json={"kind": "text-to-image", "prompt": "a boat"})
        assert made.status_code == 200, made.text
    return key, made.json()["assets"][0]["id"]


@pytest.fixture(scope="module")
def broke(studio: Studio) -> tuple[str, str]:
    """A user with a picture made on a plan that allowed it, now on one that allows less than
    any run costs and no local call: (key, asset id)."""
    key = studio.add_user("gus")
    with studio.api(key) as api:
        made = api.post("/v1/operations", json={"kind": "text-to-image", "prompt": "a boat"})
        assert made.status_code == 200, made.text
    with studio.admin() as admin:
        plan = {
            "spend_cap": "0.01",
            "requests_per_minute": 600,
            "concurrent_operations": 4,
            "calls": {"local": 0},
        }
        assert admin.put("/v1/admin/plans/broke", json=plan).status_code in (200, 201)
        moved = admin.put("/v1/admin/users/gus/plan", json={"plan": "broke"})
        assert moved.status_code == 200, moved.text
    return key, made.json()["assets"][0]["id"]


def standing(studio: Studio, key: str) -> tuple[int, int, str, str]:
    """(operations but failed ones, assets, spend used, spend held) of the user, as the API
    says. (A local operation whose input the work refuses is kept, failed, naming why: by
    design, at no cost.)"""
    with studio.api(key) as api:
        listed = api.get("/v1/operations").json()["items"]
        operations = sum(1 for item in listed if item["status"] != "failed")
        assets = len(api.get("/v1/assets").json()["items"])
        rows = api.get("/v1/usage").json()["rows"]
    spend = next(row for row in rows if row["unit"] == "micro-usd")
    return operations, assets, spend["used"], spend["held"]


def open_form(page: Page, studio: Studio, path: str) -> Locator:
    """The page's form that runs, with the browser's own checks off: what a browser that does
    not check (or a value it lets through) sends."""
    page.goto(studio.url(path))
    form = page.locator("form[method=post]").filter(has=page.get_by_role("button", name="Run"))
    expect(form).to_have_count(1)
    form.evaluate("form => { form.noValidate = true; }")
    return form


def fill_texts(form: Locator) -> dict[str, str]:
    """Every text field shown, filled with words to find again: {name: value}."""
    kept: dict[str, str] = {}
    for field in form.locator("textarea:visible, input[type=text]:visible").all():
        name = str(field.get_attribute("name"))
        kept[name] = f"kept words for {name}"
        field.fill(kept[name])
    return kept


def choose_library(form: Locator, asset_id: str) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for picker in form.locator("select[name$=_asset]:visible").all():
        name = str(picker.get_attribute("name"))
        picker.select_option(asset_id)
        chosen[name] = asset_id
    return chosen


def run_refused(page: Page, studio: Studio, form: Locator, path: str) -> int:
    """Run the form; the status of the answer, which must be the page again."""
    with page.expect_response(
        lambda answer: answer.request.method == "POST" and answer.url == studio.url(path)
    ) as answered:
        form.get_by_role("button", name="Run").click()
    page.wait_for_load_state()
    expect(page).to_have_url(studio.url(path))
    expect(page.get_by_role("button", name="Run")).to_be_visible()  # the form, not an error page
    return answered.value.status


def assert_field_marked(page: Page, name: str, says: str | None = None) -> None:
    """The field `name` is the one focused, marked invalid and described by a message beside
    it (that says `says`, if given)."""
    focused = page.locator(":focus")
    expect(focused).to_have_attribute("name", name)
    expect(focused).to_have_attribute("aria-invalid", "true")
    first = str(focused.get_attribute("aria-describedby")).split()[0]
    message = page.locator(f"[id='{first}']")
    expect(message).to_be_visible()
    if says is not None:
        expect(message).to_contain_text(says)
    told = message.inner_text().strip()
    assert told, f"the message for {name} says nothing"
    expect(focused).to_have_accessible_description(re.compile(re.escape(told)))
    beside = message.evaluate(
        "(message, field) => message.parentElement === field.parentElement"
        " || (message.closest('fieldset') !== null"
        " && message.closest('fieldset') === field.closest('fieldset'))",
        focused.element_handle(),
    )
    assert beside, f"the message for {name} is not beside it"


def upload_no_image(form: Locator) -> str:
    """A text file in the first file input; its name."""
    upload = form.locator("input[type=file]:visible").first
    upload.set_input_files(
        files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"these are words\n" * 64}]
    )
    return str(upload.get_attribute("name"))


def assert_kept(page: Page, values: dict[str, str]) -> None:
    for name, value in values.items():
        expect(page.locator(f"[name='{name}']")).to_have_value(value)


@pytest.mark.parametrize("path", TOOL_PAGES)
def test_a_missing_image_is_marked_at_its_field(
    page: Page, studio: Studio, owner: tuple[str, str], path: str
) -> None:
    key, _ = owner
    sign_in(page, studio, key)
    before = standing(studio, key)
    form = open_form(page, studio, path)
    pickers = form.locator("select[name$=_asset]:visible")
    if pickers.count() == 0:
        # A page without input images (Create): a blank prompt is its field the server refuses.
        form.locator("textarea[name=prompt]").fill("   ")
        kept: dict[str, str] = {}
        refused, says = "prompt", None
    else:
        kept = fill_texts(form)
        refused, says = str(pickers.first.get_attribute("name")), "Choose an image"

    assert run_refused(page, studio, form, path) == 422

    assert_field_marked(page, refused, says)
    assert_kept(page, kept)
    assert standing(studio, key) == before
    check_page(page, f"refused{path.replace('/', '-')}-image")


@pytest.mark.parametrize("path", TOOL_PAGES)
def test_a_number_out_of_range_is_marked_and_the_rest_kept(
    page: Page, studio: Studio, owner: tuple[str, str], path: str
) -> None:
    key, asset_id = owner
    sign_in(page, studio, key)
    before = standing(studio, key)
    form = open_form(page, studio, path)
    numbers = form.locator("input[type=number]:visible")
    kept = {**fill_texts(form), **choose_library(form, asset_id)}
    choices = form.locator("select:visible:not([name$=_asset])")
    if numbers.count():
        name = str(numbers.first.get_attribute("name"))
        numbers.first.fill(TOO_BIG)
        kept[name] = TOO_BIG
    elif choices.count():  # no number (a format picker): a choice the page does not offer
        name = str(choices.first.get_attribute("name"))
        choices.first.evaluate("select => { select.options[0].value = 'nonesuch'; }")
        choices.first.select_option(index=0)
    else:  # nothing but the image (image to 3D): a file that is no image
        name = upload_no_image(form)
        kept.pop(f"{name}_asset")
        form.locator(f"select[name={name}_asset]").select_option("")

    assert run_refused(page, studio, form, path) == 422

    assert_field_marked(page, name)
    assert_kept(page, kept)
    assert standing(studio, key) == before


@pytest.mark.parametrize("path", TOOL_PAGES)
def test_an_upload_that_is_no_image_is_marked_and_stores_nothing(
    page: Page, studio: Studio, owner: tuple[str, str], path: str
) -> None:
    key, _ = owner
    sign_in(page, studio, key)
    before = standing(studio, key)
    form = open_form(page, studio, path)
    kept = fill_texts(form)
    says: str | None
    if form.locator("input[type=file]:visible").count() == 0:
        # Nothing to upload (Create): a prompt far longer than any model takes instead.
        name, says = "prompt", "characters"
        form.locator("textarea[name=prompt]").fill("a very long prompt " * 2_000)
        kept.pop("prompt")
        statuses: tuple[int, ...] = (413, 422)
    else:
        kept |= choose_library(form, owner[1])  # every other image given
        name, says = upload_no_image(form), None
        kept.pop(f"{name}_asset")
        form.locator(f"select[name={name}_asset]").select_option("")
        statuses = (415, 422)

    assert run_refused(page, studio, form, path) in statuses

    assert_field_marked(page, name, says)
    assert_kept(page, kept)
    if name != "prompt":  # the browser cannot be given the file back: the page says so
        expect(
            page.get_by_text("The file notes.png was not kept: choose it again.")
        ).to_be_visible()
    assert standing(studio, key) == before


@pytest.mark.parametrize("path", TOOL_PAGES)
def test_a_limit_is_shown_above_the_form_and_costs_nothing(
    page: Page, studio: Studio, broke: tuple[str, str], path: str
) -> None:
    key, asset_id = broke
    sign_in(page, studio, key)
    before = standing(studio, key)
    form = open_form(page, studio, path)
    kept = {**fill_texts(form), **choose_library(form, asset_id)}

    status = run_refused(page, studio, form, path)

    assert status in (402, 429), status
    alert = page.locator("#form-problem")
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_be_focused()
    expect(alert).to_contain_text("Whose limit")
    expect(alert).to_contain_text("nothing: the request was refused before anything was spent")
    assert_kept(page, kept)
    assert standing(studio, key) == before
    check_page(page, f"refused{path.replace('/', '-')}-limit")


def test_the_registry_finds_every_tool_page() -> None:
    assert {"/create", "/edit", "/upscale", "/social", "/compress", "/convert"} <= set(TOOL_PAGES)
