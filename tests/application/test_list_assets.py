"""List assets: the caller's own assets, newest first, a page at a time behind an opaque cursor."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from fakes import FailingAssetStore
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from imagestudio.adapters.local_files.asset_bytes import LocalFileAssetBytes
from imagestudio.adapters.memory.asset_bytes import InMemoryAssetBytes
from imagestudio.adapters.memory.asset_library import InMemoryAssetLibrary
from imagestudio.application.asset_vault import AssetVault
from imagestudio.application.use_cases.list_assets import (
    AssetPage,
    ListAssets,
    cursor_text,
    parsed_cursor,
)
from imagestudio.domain.asset import Asset, AssetCursor
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_kind import OperationKind

T = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")


def an_asset(asset_id: str, created_at: datetime = T, owner: str = "alice") -> Asset:
    return Asset(
        id=asset_id,
        owner=owner,
        operation_id="op_000001",
        model_id="flux-schnell",
        kind=OperationKind.TEXT_TO_IMAGE,
        media_type=MediaType.PNG,
        size_bytes=3,
        created_at=created_at,
    )


async def stored(*assets: Asset) -> AssetVault:
    store = AssetVault(InMemoryAssetLibrary(), InMemoryAssetBytes())
    for asset in assets:
        await store.save(asset, b"png")
    return store


async def every_page(assets: AssetVault, owner: str, limit: int) -> list[AssetPage]:
    pages = [(await ListAssets(assets).execute(owner, limit=limit)).unwrap()]
    while (cursor := pages[-1].next_cursor) is not None:
        pages.append((await ListAssets(assets).execute(owner, cursor, limit)).unwrap())
    return pages


def ids(page: AssetPage) -> list[str]:
    return [asset.id for asset in page.items]


def token(plain: bytes) -> str:
    return base64.urlsafe_b64encode(plain).rstrip(b"=").decode()


async def test_no_assets_is_one_empty_last_page() -> None:
    result = await ListAssets(await stored()).execute("alice")

    assert result == Success(AssetPage(items=(), next_cursor=None))


async def test_exactly_a_page_of_assets_is_the_last_page() -> None:
    store = await stored(*(an_asset(f"ast_{n}", T + timedelta(seconds=n)) for n in range(3)))

    page = (await ListAssets(store).execute("alice", limit=3)).unwrap()

    assert ids(page) == ["ast_2", "ast_1", "ast_0"]
    assert page.next_cursor is None


async def test_next_cursors_lead_through_every_asset_once_newest_first() -> None:
    tied = [an_asset(f"ast_{n}") for n in "abcd"]
    store = await stored(*tied, an_asset("ast_new", T + timedelta(seconds=1)))

    pages = await every_page(store, "alice", limit=2)

    assert [ids(page) for page in pages] == [["ast_new", "ast_d"], ["ast_c", "ast_b"], ["ast_a"]]
    assert [page.next_cursor is None for page in pages] == [False, False, True]


async def test_another_owners_assets_never_appear() -> None:
    store = await stored(an_asset("ast_1"), an_asset("ast_2", owner="mallory"))

    assert ids((await ListAssets(store).execute("alice")).unwrap()) == ["ast_1"]


async def test_the_default_page_holds_fifty() -> None:
    store = await stored(*(an_asset(f"ast_{n:03}") for n in range(51)))

    page = (await ListAssets(store).execute("alice")).unwrap()

    assert len(page.items) == 50
    assert page.next_cursor is not None


@pytest.mark.parametrize("limit", [1, 200])
async def test_a_limit_from_1_to_200_is_accepted(limit: int) -> None:
    assert isinstance(await ListAssets(await stored()).execute("alice", limit=limit), Success)


@pytest.mark.parametrize("limit", [0, -1, 201, 10_000])
async def test_a_limit_outside_1_to_200_is_invalid(limit: int) -> None:
    result = await ListAssets(await stored()).execute("alice", limit=limit)

    assert isinstance(result, Failure)
    assert result.failure().field == "limit"


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param(AssetCursor(created_at=T, asset_id="ast_000001"), id="utc"),
        pytest.param(
            AssetCursor(
                created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-5))),
                asset_id="user@example.com.v2-x_y",
            ),
            id="offset-whole-seconds-and-odd-id",
        ),
    ],
)
def test_a_cursor_survives_its_url_safe_text(cursor: AssetCursor) -> None:
    text = cursor_text(cursor)

    assert URL_SAFE.fullmatch(text)
    assert parsed_cursor(text) == Success(cursor)


MALFORMED = {
    "empty": "",
    "not base64url": "abc+/def",
    "padding": token(f"{T.isoformat()}|ast_1".encode()) + "=",
    "impossible length": "abcde",
    "no separator": token(b"2026-03-04T05:06:07+00:00"),
    "no asset id": token(b"2026-03-04T05:06:07+00:00|"),
    "not a time": token(b"yesterday|ast_1"),
    "a time without a zone": token(b"2026-03-04T05:06:07|ast_1"),
    "not utf-8": token(b"\xff\xfe|ast_1"),
    "before the calendar in UTC": token(b"0001-01-01T00:00:00+05:00|ast_1"),
    "after the calendar in UTC": token(b"9999-12-31T23:59:00-05:00|ast_1"),
    "too long": "A" * 401,
}


@pytest.mark.parametrize("cursor", MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_malformed_cursor_is_invalid_input(cursor: str) -> None:
    result = await ListAssets(await stored(an_asset("ast_1"))).execute("alice", cursor)

    assert result == Failure(InvalidInput("cursor", "not a cursor this service gave out"))


async def test_a_cursor_resumes_after_its_asset_even_once_it_is_deleted() -> None:
    store = await stored(*(an_asset(f"ast_{n}") for n in "abc"))
    first = (await ListAssets(store).execute("alice", limit=1)).unwrap()
    await store.delete("alice", "ast_c")

    rest = (await ListAssets(store).execute("alice", first.next_cursor, 10)).unwrap()

    assert ids(rest) == ["ast_b", "ast_a"]


async def test_an_owner_that_cannot_name_a_folder_has_no_assets(tmp_path: Path) -> None:
    vault = AssetVault(InMemoryAssetLibrary(), LocalFileAssetBytes(tmp_path))
    result = await ListAssets(vault).execute("../bob")

    assert result == Success(AssetPage(items=(), next_cursor=None))


async def test_listing_works_while_saving_fails() -> None:
    store = await stored(an_asset("ast_1"))
    failing = AssetVault(store.library, FailingAssetStore.always(store.content))

    assert ids((await ListAssets(failing).execute("alice")).unwrap()) == ["ast_1"]


@given(
    seconds=st.lists(st.integers(min_value=0, max_value=3), max_size=12),
    limit=st.integers(min_value=1, max_value=5),
)
async def test_walking_the_pages_gives_every_asset_once_in_order(
    seconds: list[int], limit: int
) -> None:
    assets = [an_asset(f"ast_{n:02}", T + timedelta(seconds=s)) for n, s in enumerate(seconds)]
    store = await stored(*assets)

    pages = await every_page(store, "alice", limit)

    walked = [asset for page in pages for asset in page.items]
    assert walked == sorted(assets, key=lambda a: (a.created_at, a.id), reverse=True)
    assert all(len(page.items) == limit for page in pages[:-1])
    assert len(pages[-1].items) <= limit
