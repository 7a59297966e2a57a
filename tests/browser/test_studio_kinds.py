"""Every other kind in a real browser: an edit with a mask painted on the canvas (the before and
after, and the output's lineage naming the input), an upscale of a library asset sent on with
`?asset=`, a 3D model offered with its size, a video that plays, a social crop done on the
server, and bad input that shows the problem and costs nothing."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from browser_support import Studio, check_page, serving_studio, sign_in
from PIL import Image
from playwright.sync_api import Page, expect

PRICE = Decimal("0.02")
SIDE = 512


@pytest.fixture(scope="module")
def studio(browser_data: Path) -> Iterator[Studio]:
    """Offline models at $0.02 an output, so the quotes show a price."""
    with serving_studio(browser_data, offline_price_usd=PRICE) as served:
        yield served


@pytest.fixture(scope="module")
def painter(studio: Studio) -> tuple[str, str]:
    """A user and one picture in their library (made through the API): (key, asset id)."""
    key = studio.add_user("painter")
    with api(studio, key) as client:
        made = client.post(
            "/v1/operations",
            json={"kind": "text-to-image", "prompt": "a lighthouse", "width": SIDE, "height": SIDE},
        )
        assert made.status_code == 200, made.text
    return key, made.json()["assets"][0]["id"]


def api(studio: Studio, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=studio.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30
    )


def operations(studio: Studio, key: str) -> int:
    with api(studio, key) as client:
        return len(client.get("/v1/operations").json()["items"])


def picture(studio: Studio, key: str, asset_id: str) -> Image.Image:
    with api(studio, key) as client:
        found = client.get(f"/v1/assets/{asset_id}")
        assert found.status_code == 200
    return Image.open(io.BytesIO(found.content)).convert("RGB")


def settled(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/operations/op_\w+$"))
    expect(page.locator("[data-status]")).to_have_text("succeeded")


def output_id(page: Page) -> str:
    link = page.get_by_role("list", name="Results").get_by_role("link", name="Edit").first
    found = re.search(r"asset=(ast_\w+)", str(link.get_attribute("href")))
    assert found is not None
    return found.group(1)


def test_an_edit_with_a_painted_mask_shows_before_after_and_lineage(
    page: Page, studio: Studio, painter: tuple[str, str]
) -> None:
    key, source = painter
    sign_in(page, studio, key)
    page.goto(studio.url(f"/edit?asset={source}"))
    expect(page.get_by_label("From your library")).to_have_value(source)
    page.locator("#mode").select_option("inpaint")
    page.get_by_label("Prompt").fill("a small red boat")
    stage = page.locator(".mask-stage.ready canvas")
    expect(stage).to_be_visible()
    stage.scroll_into_view_if_needed()
    box = stage.bounding_box()
    assert box is not None
    # Paint a stroke across the top-left quarter only: the centre stays unmasked (the edit's
    # default, without a mask, is the centre).
    page.mouse.move(box["x"] + box["width"] * 0.08, box["y"] + box["height"] * 0.1)
    page.mouse.down()
    for step in range(1, 9):
        page.mouse.move(
            box["x"] + box["width"] * (0.08 + step * 0.03),
            box["y"] + box["height"] * (0.1 + step * 0.02),
        )
    page.mouse.up()
    expect(page.locator("#mask-canvas[data-painted=true]")).to_have_count(1)
    expect(page.locator("[data-quote=ready] .price")).to_have_text("$0.02")
    check_page(page, "edit-masked")

    page.get_by_role("button", name="Run").click()

    settled(page)
    compare = page.locator("[data-compare]")
    expect(compare.get_by_role("img", name=re.compile("^Before"))).to_have_attribute(
        "src", re.compile(f"/files/{source}$")
    )
    expect(compare.get_by_role("img", name=re.compile("^After"))).to_have_js_property(
        "complete", True
    )
    expect(page.locator(f".lineage [data-source={source}]")).to_have_count(1)
    made = output_id(page)
    with api(studio, key) as client:
        details = client.get(f"/v1/assets/{made}/details").json()
    assert details["derived_from"] == [source]
    before, after = picture(studio, key, source), picture(studio, key, made)
    corner, centre = (SIDE // 5, SIDE // 6), (SIDE // 2, SIDE // 2)
    assert before.getpixel(corner) != after.getpixel(corner)  # painted: edited
    assert before.getpixel(centre) == after.getpixel(centre)  # not painted: kept
    check_page(page, "edit-result")


def test_an_upscale_of_a_library_asset_sent_on_with_its_id(
    page: Page, studio: Studio, painter: tuple[str, str]
) -> None:
    key, source = painter
    sign_in(page, studio, key)
    page.goto(studio.url(f"/upscale?asset={source}"))
    expect(page.get_by_label("From your library")).to_have_value(source)
    page.get_by_label("Scale").fill("2")
    expect(page.locator("[data-quote=ready] .price")).to_have_text("$0.02")
    check_page(page, "upscale")

    page.get_by_role("button", name="Run").click()

    settled(page)
    after = page.locator("[data-compare]").get_by_role("img", name=re.compile("^After"))
    expect(after).to_have_js_property("naturalWidth", SIDE * 2)
    expect(page.locator("[data-compare] figcaption").last).to_contain_text("1024 × 1024")
    check_page(page, "upscale-result")


def test_a_3d_model_to_download_and_a_video_that_plays(
    page: Page, studio: Studio, painter: tuple[str, str]
) -> None:
    key, source = painter
    sign_in(page, studio, key)
    page.goto(studio.url(f"/transform?asset={source}"))
    page.get_by_role("link", name="Image to 3D").click()
    expect(page.get_by_label("From your library")).to_have_value(source)
    page.get_by_role("button", name="Run").click()
    settled(page)
    download = page.get_by_role("link", name=re.compile(r"Download the 3D model \(GLB"))
    size = int(str(download.locator("[data-size]").get_attribute("data-size")))
    with api(studio, key) as client:
        glb = client.get(str(download.get_attribute("href")).replace("/files/", "/v1/assets/"))
    assert glb.content[:4] == b"glTF" and len(glb.content) == size
    expect(download).to_contain_text(f"{size:,} bytes")
    check_page(page, "to-3d-result")

    page.goto(studio.url(f"/to-video?asset={source}"))
    page.get_by_label("Duration (seconds)").select_option("5")
    page.get_by_label("Resolution").select_option("480p")
    expect(page.locator("[data-quote=ready] .price")).to_have_text("$0.02")
    page.get_by_role("button", name="Run").click()
    settled(page)
    video = page.locator("video")
    video.evaluate("v => v.play()")
    # The studio's content security policy forbids eval, which wait_for_function needs.
    for _ in range(400):
        if video.evaluate("v => v.currentTime") > 0.2:
            break
        page.wait_for_timeout(50)
    assert video.evaluate("v => v.currentTime") > 0.2
    assert video.evaluate("v => v.videoWidth") > 0
    check_page(page, "to-video-result")


def test_a_social_crop_and_bad_input_that_costs_nothing(
    page: Page, studio: Studio, painter: tuple[str, str]
) -> None:
    key, source = painter
    sign_in(page, studio, key)
    page.goto(studio.url(f"/social?asset={source}"))
    page.get_by_label("Format", exact=True).select_option("instagram/landscape")
    check_page(page, "social")
    page.get_by_role("button", name="Run").click()
    settled(page)
    after = page.locator("[data-compare]").get_by_role("img", name=re.compile("^After"))
    expect(after).to_have_js_property("naturalWidth", 1080)
    expect(after).to_have_js_property("naturalHeight", 566)
    expect(page.locator(".operation .facts")).to_contain_text("$0.00")

    before = operations(studio, key)
    page.goto(studio.url(f"/compress?asset={source}"))
    page.get_by_label("Quality").fill("1")
    page.get_by_label("Or at most bytes").fill("5000")
    page.get_by_role("button", name="Run").click()
    quality = page.get_by_label("Quality")
    expect(quality).to_be_focused()
    expect(quality).to_have_attribute("aria-invalid", "true")
    expect(quality).to_have_accessible_description(re.compile("quality or a target size, not both"))
    expect(page.get_by_label("Or at most bytes")).to_have_value("5000")
    check_page(page, "compress-refused")

    page.goto(studio.url(f"/upscale?asset={source}"))
    page.get_by_label("Scale").fill("3")
    page.get_by_label("Seed").fill("99999999999")
    page.get_by_label("Seed").evaluate("input => input.removeAttribute('max')")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_label("Seed")).to_have_accessible_description(
        re.compile("whole number from 0 to")
    )
    unsigned = {"image_asset": source, "model": "offline/upscale"}  # no CSRF token
    assert page.request.post(studio.url("/upscale"), multipart=unsigned).status == 403
    assert operations(studio, key) == before  # refused before anything was recorded


def test_the_other_tool_pages_pass_the_checks(
    page: Page, studio: Studio, painter: tuple[str, str]
) -> None:
    key, source = painter
    sign_in(page, studio, key)
    page.goto(studio.url("/tools"))
    check_page(page, "tools")
    page.get_by_role("link", name="Face swap").first.click()
    expect(page.get_by_role("group", name=re.compile("^Face image"))).to_be_visible()
    expect(page.get_by_role("group", name=re.compile("^Base image"))).to_be_visible()
    check_page(page, "face-swap")
    page.goto(studio.url(f"/control?asset={source}"))
    page.locator("#mode").select_option("sketch")
    expect(page.get_by_role("group", name=re.compile("^Style image"))).to_be_hidden()
    page.locator("#mode").select_option("style-transfer")
    expect(page.get_by_role("group", name=re.compile("^Style image"))).to_be_visible()
    check_page(page, "control")
    page.goto(studio.url(f"/convert?asset={source}"))
    check_page(page, "convert")


def test_a_model_is_chosen_from_the_keyboard_without_losing_the_place(
    page: Page, tmp_path: Path
) -> None:
    """Arrow keys walk a kind page's model list (the page must not reload under the user at the
    first press, focus lost); Enter picks; the pointer's choice still reloads at once. A
    provider key (never called here) offers models beside the offline one."""
    with serving_studio(tmp_path, stability_api_key="sk-never-sent") as studio:
        sign_in(page, studio, studio.add_user("keys"))
        page.goto(studio.url("/upscale"))
        choice = page.get_by_label("Model", exact=True)
        assert choice.locator("option").count() >= 3
        first = choice.input_value()

        choice.focus()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        walked_to = choice.input_value()
        page.wait_for_timeout(500)  # long enough for a reload to have begun
        assert walked_to != first and page.url == studio.url("/upscale")
        expect(choice).to_be_focused()
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"\?model=" + re.escape(walked_to.replace("/", "%2F"))))
        expect(page.get_by_label("Model", exact=True)).to_have_value(walked_to)

        page.get_by_label("Model", exact=True).select_option(first)
        expect(page).to_have_url(re.compile(r"\?model=" + re.escape(first.replace("/", "%2F"))))
