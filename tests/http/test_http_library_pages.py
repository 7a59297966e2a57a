"""The Library pages over real HTTP, without a browser, mounted under a prefix as in a host app:
every link stays under it, each POST needs the CSRF token, bad filters and labels are refused by
name (4xx, nothing changed), an id no asset can have is not found, and the next page's fragment
keeps the filters."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image

from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.entrypoints.http.mounting import mountable_app
from imagestudio.entrypoints.settings import Profile, Settings

ADMIN = "admin-secret-for-library-pages"
PREFIX = "/studio"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
LINKS = re.compile(r'(?:href|src|action|hx-post|hx-get)="([^"]+)"')


@dataclass(frozen=True)
class Signed:
    client: httpx.Client
    api: httpx.Client
    csrf: str
    assets: list[str]
    """Newest first: an edit of the first picture, then the two pictures."""


def host_app(data_dir: Path) -> FastAPI:
    studio = mountable_app(Settings(profile=Profile.LOCAL, data_dir=data_dir, admin_key=ADMIN))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with studio.lifespan(app):
            yield

    host = FastAPI(lifespan=lifespan)
    host.mount(PREFIX, studio.app)
    return host


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Signed]:
    """A user signed in to the studio under the prefix, with two pictures and an edit."""
    data_dir = tmp_path_factory.mktemp("library")
    with ServedApp(host_app(data_dir), lifespan="on", name="library") as served:
        base = served.base_url + PREFIX
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {ADMIN}"}) as admin:
            key = admin.post("/v1/admin/users", json={"user_id": "lena", "plan": "pro"}).json()
        with (
            httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {key['api_key']}"}
            ) as api,
            httpx.Client(base_url=served.base_url) as client,
        ):
            made = []
            for prompt in ("a quiet harbour", "a busy market"):
                body = {"kind": "text-to-image", "prompt": prompt, "width": 320, "height": 240}
                made.append(api.post("/v1/operations", json=body).json()["assets"][0]["id"])
            edit = {"kind": "image-edit", "prompt": "add boats", "images": [{"asset_id": made[0]}]}
            edited = api.post("/v1/operations", json=edit)
            assert edited.status_code == 200, edited.text
            token = CSRF.search(client.get(f"{PREFIX}/sign-in").text)
            assert token is not None
            client.post(
                f"{PREFIX}/sign-in",
                data={"csrf_token": token.group(1), "api_key": key["api_key"], "next": "/"},
            )
            csrf = CSRF.search(client.get(f"{PREFIX}/library").text)
            assert csrf is not None
            assets = [edited.json()["assets"][0]["id"], made[1], made[0]]
            yield Signed(client, api, csrf.group(1), assets)


def local_links(html: str) -> list[str]:
    return [link for link in LINKS.findall(html) if link.startswith("/")]


def test_every_library_link_stays_under_the_prefix(signed: Signed) -> None:
    edit, _, harbour = signed.assets
    pages = [
        signed.client.get(f"{PREFIX}{path}")
        for path in ("/library", "/library?limit=1", f"/library/{edit}", f"/library/{harbour}")
    ]
    pages.append(signed.client.get(f"{PREFIX}/library/{harbour}/delete"))
    assert [page.status_code for page in pages] == [200] * 5
    links = [link for page in pages for link in local_links(page.text)]
    assert links and all(link.startswith(f"{PREFIX}/") for link in links), links
    # The lineage both ways: the edit names its parent, the parent its child.
    assert f'href="{PREFIX}/library/{harbour}" data-lineage="parent"' in pages[2].text
    assert f'href="{PREFIX}/library/{edit}" data-lineage="child"' in pages[3].text
    thumbnail = signed.client.get(f"{PREFIX}/library/{harbour}/thumbnail")
    assert (thumbnail.status_code, thumbnail.headers["content-type"]) == (200, "image/webp")
    with Image.open(io.BytesIO(thumbnail.content)) as shown:
        assert shown.size == (256, 192)  # 320 × 240 fitted in 256
    small = signed.client.get(f"{PREFIX}/library/{harbour}/thumbnail?size=128")
    with Image.open(io.BytesIO(small.content)) as shown:
        assert shown.size == (128, 96)
    for size in ("300", "0", "big"):
        refused = signed.client.get(f"{PREFIX}/library/{harbour}/thumbnail?size={size}")
        assert 400 <= refused.status_code < 500, size


def test_more_by_cursor_keeps_the_filters_and_ends(signed: Signed) -> None:
    first = signed.client.get(f"{PREFIX}/library", params={"kind": "text-to-image", "limit": 1})
    assert re.findall(r'data-asset="(\w+)"', first.text) == [signed.assets[1]]
    sentinel = re.search(r'hx-get="([^"]+)"', first.text)
    assert sentinel is not None and "kind=text-to-image" in sentinel.group(1)
    more = signed.client.get(sentinel.group(1).replace("&amp;", "&"))
    assert re.findall(r'data-asset="(\w+)"', more.text) == [signed.assets[2]]
    assert "<html" not in more.text and "hx-get" not in more.text  # a fragment; the last page


def test_each_post_needs_the_csrf_token(signed: Signed) -> None:
    harbour = signed.assets[2]
    for path, data in (
        (f"/library/{harbour}/labels", {"add_tag": "stolen"}),
        (f"/library/{harbour}/delete", {}),
    ):
        refused = signed.client.post(f"{PREFIX}{path}", data=data)
        assert refused.status_code == 403 and "This form cannot be accepted" in refused.text
    kept = signed.api.get(f"/v1/assets/{harbour}/details").json()
    assert kept["tags"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=painting", "kind"),
        ("favourite=maybe", "favourite"),
        ("created_from=yesterday", "created_from"),
        ("created_before=2026-13-01", "created_before"),
        ("tag=%20spaced", "tag"),
        ("model=a%01b", "model"),
        ("cursor=not-a-cursor", "cursor"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
    ],
)
def test_bad_filters_are_refused_by_name(signed: Signed, query: str, field: str) -> None:
    refused = signed.client.get(f"{PREFIX}/library?{query}")
    assert 400 <= refused.status_code < 500, (query, refused.status_code)
    assert field in refused.text


@pytest.mark.parametrize(
    ("data", "status", "said"),
    [
        ({}, 422, "label"),
        ({"add_tag": " padded"}, 422, "tags"),
        ({"add_collection": "x" * 65}, 422, "collections"),
        ({"favourite": "perhaps"}, 422, "favourite"),
    ],
)
def test_bad_labels_are_refused_by_name_and_change_nothing(
    signed: Signed, data: dict[str, str], status: int, said: str
) -> None:
    harbour = signed.assets[2]
    before = signed.api.get(f"/v1/assets/{harbour}/details").json()
    refused = signed.client.post(
        f"{PREFIX}/library/{harbour}/labels", data={"csrf_token": signed.csrf, **data}
    )
    assert refused.status_code == status and said in refused.text
    assert signed.api.get(f"/v1/assets/{harbour}/details").json() == before


@pytest.mark.parametrize(
    ("asset_id", "statuses"),
    # A NUL in a path is refused before any route (422); no asset has such an id either.
    [("ast_none", {404}), ("ast%00nul", {404, 422}), ("ast_%F0%9F%A6%8A", {404})],
)
def test_an_asset_that_is_not_there_is_not_found(
    signed: Signed, asset_id: str, statuses: set[int]
) -> None:
    for path in ("", "/thumbnail", "/delete"):
        missing = signed.client.get(f"{PREFIX}/library/{asset_id}{path}")
        assert missing.status_code in statuses, (asset_id, path)
    for path, data in (("/labels", {"add_tag": "x"}), ("/delete", {})):
        posted = signed.client.post(
            f"{PREFIX}/library/{asset_id}{path}", data={"csrf_token": signed.csrf, **data}
        )
        assert posted.status_code in statuses, (asset_id, path)
