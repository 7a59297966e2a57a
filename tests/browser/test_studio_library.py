"""The Library in a real browser: the grid of thumbnails (a placeholder for a 3D model), its
filters as a shareable GET form, more by cursor as the page scrolls (and a plain link without
JavaScript), an asset's details with tag, favourite, collect and a confirmed delete, an edit sent
on from the details and its lineage both ways, and another user who finds none of it."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from browser_support import Studio, check_page, sign_in
from playwright.sync_api import Page, expect

PROMPTS = (
    "a red fox in the snow",
    "a blue whale at dusk",
    "a green parrot on a branch",
    "a lighthouse at night",
    "an orange cat asleep",
)
WIDTH, HEIGHT = 384, 256


@pytest.fixture(scope="module")
def collector(studio: Studio) -> tuple[str, dict[str, str]]:
    """A user with five pictures and a 3D model made from the first (through the API): their
    key and the asset ids by prompt ("model" for the GLB)."""
    key = studio.add_user("collector")
    ids: dict[str, str] = {}
    with studio.api(key) as client:
        for prompt in PROMPTS:
            made = client.post(
                "/v1/operations",
                json={"kind": "text-to-image", "prompt": prompt, "width": WIDTH, "height": HEIGHT},
            )
            assert made.status_code == 200, made.text
            ids[prompt] = made.json()["assets"][0]["id"]
        model = client.post(
            "/v1/operations",
            json={"kind": "image-to-3d", "images": [{"asset_id": ids[PROMPTS[0]]}]},
        )
        assert model.status_code == 200, model.text
        ids["model"] = model.json()["assets"][0]["id"]
    return key, ids


def tiles(page: Page) -> list[str]:
    return [str(t.get_attribute("data-asset")) for t in page.locator("[data-asset]").all()]


def test_the_grid_its_filters_and_more_as_it_scrolls(
    page: Page, studio: Studio, collector: tuple[str, dict[str, str]]
) -> None:
    key, ids = collector
    sign_in(page, studio, key)
    page.get_by_role("link", name="Library").click()
    expect(page.locator("[data-asset]")).to_have_count(6)
    assert tiles(page) == [ids["model"], *(ids[p] for p in reversed(PROMPTS))]
    fox = page.locator(f"[data-asset={ids[PROMPTS[0]]}] img")
    expect(fox).to_have_attribute("alt", PROMPTS[0])
    expect(fox).to_have_attribute("loading", "lazy")
    fox.scroll_into_view_if_needed()
    expect(fox).to_have_js_property("naturalWidth", 256)  # 384 × 256 fitted in 256
    expect(fox).to_have_js_property("naturalHeight", 171)
    expect(page.locator(f"[data-asset={ids['model']}] .placeholder")).to_contain_text(
        "3D model (GLB)"
    )
    check_page(page, "library")

    page.get_by_label("Prompt words").fill("whale")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"[?&]q=whale"))
    expect(page.locator("[data-asset]")).to_have_count(1)
    assert tiles(page) == [ids[PROMPTS[1]]]

    page.get_by_label("Prompt words").fill("")
    page.get_by_label("Kind").select_option("image-to-3d")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"[?&]kind=image-to-3d"))
    expect(page.locator("[data-asset]")).to_have_count(1)
    assert tiles(page) == [ids["model"]]
    check_page(page, "library-filtered")

    # A phone's screen: the filters fill it, so the next page's sentinel is out of sight.
    page.set_viewport_size({"width": 390, "height": 700})
    page.goto(studio.url("/library?limit=2"))
    expect(page.locator("[data-asset]")).to_have_count(2)
    more = page.get_by_role("link", name="More")
    plain = parse_qs(urlparse(str(more.get_attribute("href"))).query)
    assert plain["limit"] == ["2"] and plain["cursor"]
    for shown in (4, 6):
        page.locator("#library-more").scroll_into_view_if_needed()
        expect(page.locator("[data-asset]")).to_have_count(shown)
    expect(page.locator("#library-more")).to_have_count(0)
    assert tiles(page) == [ids["model"], *(ids[p] for p in reversed(PROMPTS))]

    # Without JavaScript the sentinel is a link to the next page, filters kept.
    page.goto(studio.url(f"/library?limit=2&cursor={plain['cursor'][0]}"))
    assert tiles(page) == [ids[PROMPTS[3]], ids[PROMPTS[2]]]
    expect(page.get_by_role("link", name="Back to the newest")).to_have_count(1)


def test_details_tag_favourite_collect_and_delete(
    page: Page, studio: Studio, collector: tuple[str, dict[str, str]]
) -> None:
    key, ids = collector
    parrot = ids[PROMPTS[2]]
    sign_in(page, studio, key)
    page.goto(studio.url("/library"))
    page.locator(f"[data-asset={parrot}] a.thumb").click()
    expect(page).to_have_url(re.compile(f"/library/{parrot}$"))
    expect(page.locator("[data-fact=prompt]")).to_have_text(PROMPTS[2])
    expect(page.locator("[data-fact=provider]")).to_have_text("offline")
    expect(page.locator("[data-fact=size]")).to_contain_text(f"{WIDTH} × {HEIGHT}")
    image = page.locator(f".asset-media img[src$='/files/{parrot}']")
    expect(image).to_have_js_property("naturalWidth", WIDTH)
    expect(page.get_by_role("link", name="Download")).to_have_attribute(
        "href", re.compile(f"/files/{parrot}$")
    )

    page.get_by_label("Add a tag").fill("birds")
    page.locator("form:has(#add-tag)").get_by_role("button", name="Add").click()
    expect(page.locator("[data-labels=tag]")).to_contain_text("birds")
    page.get_by_role("button", name="Add to favourites").click()
    expect(page.locator("[data-fact=favourite]")).to_have_text("yes")
    page.get_by_label("Add to a collection").fill("tropics")
    page.locator("form:has(#add-collection)").get_by_role("button", name="Add").click()
    expect(page.locator("[data-labels=collection]")).to_contain_text("tropics")
    check_page(page, "asset-details")
    page.get_by_role("button", name="Remove tag birds").click()
    expect(page.locator("[data-labels=tag]")).to_have_count(0)
    with studio.api(key) as client:
        labelled = client.get(f"/v1/assets/{parrot}/details").json()
    assert (labelled["tags"], labelled["favourite"], labelled["collections"]) == (
        [],
        True,
        ["tropics"],
    )
    page.goto(studio.url("/library?favourite=true&collection=tropics"))
    assert tiles(page) == [parrot]

    page.goto(studio.url(f"/library/{parrot}"))
    page.get_by_role("link", name="Delete this asset…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete this asset?")
    check_page(page, "asset-delete")
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page).to_have_url(re.compile(r"/library$"))
    expect(page.locator("[data-asset]").first).to_be_visible()
    assert parrot not in tiles(page)
    assert page.request.get(studio.url(f"/library/{parrot}/thumbnail")).status == 404
    assert page.request.get(studio.url(f"/library/{parrot}")).status == 404


def test_an_edit_sent_on_from_the_details_shows_its_lineage_both_ways(
    page: Page, studio: Studio, collector: tuple[str, dict[str, str]]
) -> None:
    key, ids = collector
    whale = ids[PROMPTS[1]]
    sign_in(page, studio, key)
    page.goto(studio.url(f"/library/{whale}"))
    page.locator(".send-on").get_by_role("link", name="Edit").click()
    expect(page.get_by_label("From your library")).to_have_value(whale)
    page.get_by_label("Prompt").fill("make it snow")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("[data-status]")).to_have_text("succeeded")

    page.get_by_role("list", name="Results").get_by_role("link", name="Details").click()
    expect(page).to_have_url(re.compile(r"/library/ast_\w+$"))
    edited = page.url.rsplit("/", 1)[1]
    parent = page.locator("[data-lineage=parent]")
    expect(parent).to_have_attribute("href", re.compile(f"/library/{whale}$"))
    check_page(page, "asset-lineage")
    parent.click()
    expect(page).to_have_url(re.compile(f"/library/{whale}$"))
    expect(page.locator("[data-lineage=child]")).to_have_attribute(
        "href", re.compile(f"/library/{edited}$")
    )


def test_another_user_finds_none_of_them(
    page: Page, studio: Studio, collector: tuple[str, dict[str, str]]
) -> None:
    _, ids = collector
    fox = ids[PROMPTS[0]]
    sign_in(page, studio, studio.add_user("stranger"))
    page.goto(studio.url("/library"))
    expect(page.locator("main")).to_contain_text("Your library is empty")
    assert page.request.get(studio.url(f"/library/{fox}/thumbnail")).status == 404
    answer = page.goto(studio.url(f"/library/{fox}"))
    assert answer is not None and answer.status == 404
    expect(page.locator(".problem h1")).to_have_text("Not found")
    check_page(page, "library-not-yours")
    page.goto(studio.url("/library?q=fox&kind=image-to-3d"))
    expect(page.locator("main")).to_contain_text("Nothing matches these filters")
