"""The S3 byte store beyond the shared contract: keys, content types, listings, failures.

Runs against moto's S3 server on loopback (started once for this module, stopped after).
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import obstore
import pytest
from obstore.store import S3Store
from test_asset_bytes_contract import MotoS3, running_moto_s3

from imagestudio.adapters.s3 import asset_bytes as s3_module
from imagestudio.adapters.s3.asset_bytes import S3AssetBytes, S3AssetStoreError
from imagestudio.application.ports.asset_bytes import StoredBytes
from imagestudio.domain.media import MediaType

PNG = MediaType.PNG


@pytest.fixture(scope="module")
def moto_s3() -> Iterator[MotoS3]:
    with running_moto_s3() as s3:
        yield s3


@pytest.fixture
def prefix() -> str:
    return f"s3-tests/{uuid.uuid4().hex}"


@pytest.fixture
def store(moto_s3: MotoS3, prefix: str) -> S3AssetBytes:
    return moto_s3.store(prefix)


@pytest.fixture
def raw(moto_s3: MotoS3) -> S3Store:
    return moto_s3.raw()


async def keys_under(raw: S3Store, prefix: str) -> list[str]:
    return sorted(meta["path"] for meta in await obstore.list(raw, f"{prefix}/").collect_async())


async def listed(store: S3AssetBytes) -> list[StoredBytes]:
    return [stored async for stored in store.inventory()]


# Where things go.


async def test_bytes_are_one_object_under_prefix_and_owner(
    store: S3AssetBytes, raw: S3Store, prefix: str
) -> None:
    await store.put("alice", "ast_1", PNG, b"png")

    assert await keys_under(raw, prefix) == [f"{prefix}/alice/ast_1.png"]
    stored = await obstore.get_async(raw, f"{prefix}/alice/ast_1.png")
    assert (await stored.bytes_async()).to_bytes() == b"png"


@pytest.mark.parametrize("media_type", list(MediaType), ids=lambda media: media.extension)
async def test_the_object_carries_its_media_type(
    store: S3AssetBytes, raw: S3Store, prefix: str, media_type: MediaType
) -> None:
    await store.put("alice", "ast_1", media_type, b"bytes")

    stored = await obstore.get_async(raw, f"{prefix}/alice/ast_1.{media_type.extension}")
    assert stored.attributes.get("Content-Type") == media_type.value


async def test_a_large_object_is_one_put_not_a_multipart_upload(
    store: S3AssetBytes, raw: S3Store, prefix: str
) -> None:
    await store.put("alice", "ast_big", MediaType.MP4, b"v" * (12 * 1024 * 1024))

    meta = await obstore.head_async(raw, f"{prefix}/alice/ast_big.mp4")
    assert "-" not in (meta["e_tag"] or "")  # a multipart upload's ETag ends in -<parts>


async def test_location_is_the_s3_url_without_a_request(moto_s3: MotoS3, prefix: str) -> None:
    store = unreachable_store(prefix=prefix, bucket=moto_s3.bucket)

    assert store.location("alice", "ast_1", MediaType.JPEG) == (
        f"s3://{moto_s3.bucket}/{prefix}/alice/ast_1.jpg"
    )


def test_without_a_prefix_locations_start_at_the_owner() -> None:
    assert unreachable_store(prefix="").location("alice", "ast_1", PNG) == (
        "s3://imagestudio-assets/alice/ast_1.png"
    )


async def test_slashes_around_the_prefix_are_ignored(
    moto_s3: MotoS3, raw: S3Store, prefix: str
) -> None:
    store = moto_s3.store(prefix=f"/{prefix}/")
    await store.put("alice", "ast_1", PNG, b"png")

    assert await keys_under(raw, prefix) == [f"{prefix}/alice/ast_1.png"]
    assert [(item.owner, item.asset_id) for item in await listed(store)] == [("alice", "ast_1")]


# Inventories.


async def test_a_store_without_a_prefix_lists_its_whole_bucket(moto_s3: MotoS3) -> None:
    bucket = moto_s3.new_bucket()
    store = moto_s3.store(prefix="", bucket=bucket)
    raw = moto_s3.raw(bucket)
    await store.put("alice", "ast_1", PNG, b"png")
    await store.put("bob", "ast_2", MediaType.GLB, b"glb!")
    await obstore.put_async(raw, "stray.png", b"stray")
    await obstore.put_async(raw, "backups/alice/ast_3.png", b"deeper than an asset")

    assert {(item.owner, item.asset_id, item.size_bytes) for item in await listed(store)} == {
        ("alice", "ast_1", 3),
        ("bob", "ast_2", 4),
    }


async def test_an_inventory_goes_through_every_chunk_of_the_listing(
    store: S3AssetBytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(s3_module, "_LISTING_PAGE", 2)
    for number in range(5):
        await store.put("alice", f"ast_{number}", PNG, b"x")

    assert sorted(item.asset_id for item in await listed(store)) == [
        f"ast_{number}" for number in range(5)
    ]


async def test_the_inventory_times_are_the_objects_last_modified(
    store: S3AssetBytes, raw: S3Store, prefix: str
) -> None:
    await store.put("alice", "ast_1", PNG, b"png")

    [item] = await listed(store)

    meta = await obstore.head_async(raw, f"{prefix}/alice/ast_1.png")
    assert item.modified_at == meta["last_modified"]
    assert item.modified_at.utcoffset() == timedelta(0)


# Refusals and failures.


def a_closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: connecting is refused at once


def unreachable_store(*, prefix: str = "", bucket: str = "imagestudio-assets") -> S3AssetBytes:
    return S3AssetBytes(
        bucket,
        prefix=prefix,
        endpoint_url=f"http://127.0.0.1:{a_closed_port()}",
        region="us-east-1",
        access_key_id="testing",
        secret_access_key="testing",
        allow_http=True,
        connect_timeout=timedelta(milliseconds=500),
        request_timeout=timedelta(seconds=1),
        max_retries=1,
        retry_timeout=timedelta(seconds=1),
    )


@pytest.fixture
def unreachable() -> S3AssetBytes:
    return unreachable_store()


async def test_an_unreachable_endpoint_raises_a_storage_error_naming_it(
    unreachable: S3AssetBytes,
) -> None:
    with pytest.raises(S3AssetStoreError, match=r"at http://127\.0\.0\.1:\d+ failed") as raised:
        await unreachable.put("alice", "ast_1", PNG, b"png")

    assert isinstance(raised.value, OSError)
    assert "PUT s3://imagestudio-assets/alice/ast_1.png" in str(raised.value)
    assert "\n" not in str(raised.value)  # one line, not obstore's debug dump


async def test_an_unreachable_endpoint_is_never_mistaken_for_missing_bytes(
    unreachable: S3AssetBytes,
) -> None:
    with pytest.raises(S3AssetStoreError, match="GET"):
        await unreachable.get("alice", "ast_1", PNG)
    with pytest.raises(S3AssetStoreError, match="HEAD"):
        await unreachable.remove("alice", "ast_1", PNG)


async def test_an_unreachable_endpoint_is_never_mistaken_for_an_empty_inventory(
    unreachable: S3AssetBytes,
) -> None:
    with pytest.raises(S3AssetStoreError, match="LIST"):
        await listed(unreachable)


async def test_a_missing_bucket_is_a_storage_error_not_missing_bytes(moto_s3: MotoS3) -> None:
    store = moto_s3.store(bucket=f"missing-{uuid.uuid4().hex}")

    with pytest.raises(S3AssetStoreError, match="PUT"):
        await store.put("alice", "ast_1", PNG, b"png")
    with pytest.raises(S3AssetStoreError, match="GET"):
        await store.get("alice", "ast_1", PNG)
    with pytest.raises(S3AssetStoreError, match="LIST"):
        await listed(store)


UNSAFE_NAMES = ["../x", "a/b", "..", ".", "", ".hidden", "a\\b", "x" * 129, "a\x00", "a?b"]


@pytest.mark.parametrize("name", UNSAFE_NAMES)
async def test_an_unsafe_name_is_refused_before_any_request(
    unreachable: S3AssetBytes, name: str
) -> None:
    with pytest.raises(ValueError, match="not a safe name"):
        await unreachable.put(name, "ast_1", PNG, b"png")
    with pytest.raises(ValueError, match="not a safe name"):
        await unreachable.get("alice", name, PNG)
    with pytest.raises(ValueError, match="not a safe name"):
        await unreachable.remove(name, "ast_1", PNG)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"bucket": ""}, "not a bucket name"),
        ({"bucket": "a/b"}, "not a bucket name"),
        ({"prefix": "assets/../x"}, "not a safe name"),
        ({"prefix": "a//b"}, "not a safe name"),
        ({"access_key_id": "key"}, "go together"),
        ({"secret_access_key": "secret"}, "go together"),
    ],
)
def test_settings_that_cannot_make_a_store_are_refused(
    settings: dict[str, Any], message: str
) -> None:
    arguments: dict[str, Any] = {"bucket": "imagestudio-assets", "region": "us-east-1"}
    with pytest.raises(ValueError, match=message):
        S3AssetBytes(**(arguments | settings))
