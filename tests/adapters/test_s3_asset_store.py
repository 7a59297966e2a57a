"""The S3 asset store beyond the shared contract: keys, content types, write order, failures.

Runs against moto's S3 server on loopback (started once for this module, stopped after).
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import obstore
import pytest
from obstore.exceptions import GenericError
from obstore.store import S3Store
from test_asset_store_contract import PNG_BYTES, MotoS3, an_asset, running_moto_s3

from imagestudio.adapters.local_files.asset_metadata import asset_to_json
from imagestudio.adapters.s3.asset_store import S3AssetStore, S3AssetStoreError
from imagestudio.domain.media import MediaType


@pytest.fixture(scope="module")
def moto_s3() -> Iterator[MotoS3]:
    with running_moto_s3() as s3:
        yield s3


@pytest.fixture
def prefix() -> str:
    return f"s3-tests/{uuid.uuid4().hex}"


@pytest.fixture
def store(moto_s3: MotoS3, prefix: str) -> S3AssetStore:
    return moto_s3.store(prefix)


@pytest.fixture
def raw(moto_s3: MotoS3) -> S3Store:
    """The same bucket without the adapter: to look at (and tamper with) what it stored."""
    return S3Store(
        moto_s3.bucket,
        endpoint=moto_s3.endpoint_url,
        region="us-east-1",
        access_key_id="testing",
        secret_access_key="testing",
        client_options={"allow_http": True},
    )


async def keys_under(raw: S3Store, prefix: str) -> list[str]:
    return sorted(meta["path"] for meta in await obstore.list(raw, f"{prefix}/").collect_async())


async def content_type(raw: S3Store, key: str) -> str | None:
    return (await obstore.get_async(raw, key)).attributes.get("Content-Type")


# Where things go.


async def test_bytes_and_description_are_stored_under_prefix_and_owner(
    store: S3AssetStore, raw: S3Store, prefix: str
) -> None:
    await store.save(an_asset(), PNG_BYTES)

    assert await keys_under(raw, prefix) == [
        f"{prefix}/alice/ast_000001.json",
        f"{prefix}/alice/ast_000001.png",
    ]
    stored = await obstore.get_async(raw, f"{prefix}/alice/ast_000001.png")
    assert (await stored.bytes_async()).to_bytes() == PNG_BYTES


async def test_the_bytes_carry_the_media_type_and_the_description_is_json(
    store: S3AssetStore, raw: S3Store, prefix: str
) -> None:
    await store.save(an_asset(id="ast_v", media_type=MediaType.MP4), b"mp4")

    assert await content_type(raw, f"{prefix}/alice/ast_v.mp4") == "video/mp4"
    assert await content_type(raw, f"{prefix}/alice/ast_v.json") == "application/json"


async def test_the_description_is_the_shared_asset_json(
    store: S3AssetStore, raw: S3Store, prefix: str
) -> None:
    await store.save(an_asset(), PNG_BYTES)

    stored = await obstore.get_async(raw, f"{prefix}/alice/ast_000001.json")
    assert (await stored.bytes_async()).to_bytes() == asset_to_json(an_asset())


async def test_location_is_the_s3_url_of_the_bytes(
    store: S3AssetStore, moto_s3: MotoS3, prefix: str
) -> None:
    await store.save(an_asset(media_type=MediaType.JPEG), b"jpeg")

    assert store.location(an_asset(media_type=MediaType.JPEG)) == (
        f"s3://{moto_s3.bucket}/{prefix}/alice/ast_000001.jpg"
    )


async def test_without_a_prefix_keys_start_at_the_owner(moto_s3: MotoS3, raw: S3Store) -> None:
    owner = f"owner-{uuid.uuid4().hex}"  # the bucket is shared: a fresh owner keeps this apart
    store = moto_s3.store(prefix="")
    await store.save(an_asset(owner=owner), PNG_BYTES)

    assert await keys_under(raw, owner) == [f"{owner}/ast_000001.json", f"{owner}/ast_000001.png"]
    assert store.location(an_asset(owner=owner)) == f"s3://{moto_s3.bucket}/{owner}/ast_000001.png"


async def test_slashes_around_the_prefix_are_ignored(
    moto_s3: MotoS3, raw: S3Store, prefix: str
) -> None:
    await moto_s3.store(prefix=f"/{prefix}/").save(an_asset(), PNG_BYTES)

    assert await keys_under(raw, prefix) == [
        f"{prefix}/alice/ast_000001.json",
        f"{prefix}/alice/ast_000001.png",
    ]


# Order and leftovers.


async def test_the_description_is_written_after_the_bytes(
    store: S3AssetStore, raw: S3Store, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_put = obstore.put_async
    seen: list[tuple[str, list[str]]] = []

    async def observed_put(target: Any, key: str, *args: Any, **kwargs: Any) -> Any:
        seen.append((key, await keys_under(raw, prefix)))  # what already exists at this moment
        return await real_put(target, key, *args, **kwargs)

    monkeypatch.setattr(obstore, "put_async", observed_put)

    await store.save(an_asset(), PNG_BYTES)

    assert seen == [
        (f"{prefix}/alice/ast_000001.png", []),
        (f"{prefix}/alice/ast_000001.json", [f"{prefix}/alice/ast_000001.png"]),
    ]


async def test_a_failed_description_write_removes_the_new_bytes(
    store: S3AssetStore, raw: S3Store, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_put = obstore.put_async

    async def failing_description(target: Any, key: str, *args: Any, **kwargs: Any) -> Any:
        if key.endswith(".json"):
            raise GenericError("the bucket is full")
        return await real_put(target, key, *args, **kwargs)

    monkeypatch.setattr(obstore, "put_async", failing_description)

    with pytest.raises(S3AssetStoreError, match="the bucket is full"):
        await store.save(an_asset(), PNG_BYTES)

    assert await keys_under(raw, prefix) == []
    assert await store.load("alice", "ast_000001") is None


async def test_replacing_with_another_media_type_leaves_no_stale_bytes(
    store: S3AssetStore, raw: S3Store, prefix: str
) -> None:
    await store.save(an_asset(), PNG_BYTES)
    await store.save(an_asset(media_type=MediaType.WEBP), b"webp")

    assert await keys_under(raw, prefix) == [
        f"{prefix}/alice/ast_000001.json",
        f"{prefix}/alice/ast_000001.webp",
    ]


async def test_delete_removes_bytes_and_description(
    store: S3AssetStore, raw: S3Store, prefix: str
) -> None:
    await store.save(an_asset(), PNG_BYTES)

    assert await store.delete("alice", "ast_000001") is True

    assert await keys_under(raw, prefix) == []


async def test_bytes_without_a_description_are_not_an_asset(
    store: S3AssetStore, raw: S3Store, prefix: str
) -> None:
    await obstore.put_async(raw, f"{prefix}/alice/ast_000001.png", PNG_BYTES)

    assert await store.load("alice", "ast_000001") is None
    assert await store.describe("alice", "ast_000001") is None


async def test_a_description_without_its_bytes_loads_as_nothing(
    store: S3AssetStore, raw: S3Store, prefix: str
) -> None:
    await obstore.put_async(raw, f"{prefix}/alice/ast_000001.json", asset_to_json(an_asset()))

    assert await store.load("alice", "ast_000001") is None


async def test_a_description_of_someone_elses_asset_is_not_yours(
    store: S3AssetStore, raw: S3Store, prefix: str
) -> None:
    await store.save(an_asset(owner="bob"), PNG_BYTES)
    copied = await obstore.get_async(raw, f"{prefix}/bob/ast_000001.json")
    await obstore.put_async(raw, f"{prefix}/alice/ast_000001.json", await copied.bytes_async())

    assert await store.describe("alice", "ast_000001") is None
    assert await store.load("alice", "ast_000001") is None


# Refusals and failures.


def a_closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: connecting is refused at once


@pytest.fixture
def unreachable() -> S3AssetStore:
    return S3AssetStore(
        "imagestudio-assets",
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


async def test_an_unreachable_endpoint_raises_a_storage_error_naming_it(
    unreachable: S3AssetStore,
) -> None:
    started = time.monotonic()
    with pytest.raises(S3AssetStoreError, match=r"at http://127\.0\.0\.1:\d+ failed") as raised:
        await unreachable.save(an_asset(), PNG_BYTES)

    assert isinstance(raised.value, OSError)
    assert "s3://imagestudio-assets/alice/ast_000001.json" in str(raised.value)
    assert "\n" not in str(raised.value)  # one line, not obstore's debug dump
    assert time.monotonic() - started < 5


async def test_an_unreachable_endpoint_is_never_mistaken_for_a_missing_asset(
    unreachable: S3AssetStore,
) -> None:
    with pytest.raises(S3AssetStoreError):
        await unreachable.load("alice", "ast_000001")
    with pytest.raises(S3AssetStoreError):
        await unreachable.describe("alice", "ast_000001")
    with pytest.raises(S3AssetStoreError):
        await unreachable.delete("alice", "ast_000001")


UNSAFE_NAMES = ["../x", "a/b", "..", ".", "", ".hidden", "a\\b", "x" * 129, "a\x00", "a?b"]


@pytest.mark.parametrize("name", UNSAFE_NAMES)
async def test_an_unsafe_name_is_refused_before_any_request(
    unreachable: S3AssetStore, name: str
) -> None:
    with pytest.raises(ValueError, match="not a safe name"):
        await unreachable.save(an_asset(id=name), PNG_BYTES)
    with pytest.raises(ValueError, match="not a safe name"):
        await unreachable.load(name, "ast_000001")
    with pytest.raises(ValueError, match="not a safe name"):
        await unreachable.describe("alice", name)
    with pytest.raises(ValueError, match="not a safe name"):
        await unreachable.delete(name, "ast_000001")
    with pytest.raises(ValueError, match="not a safe name"):
        unreachable.location(an_asset(id=name))


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
        S3AssetStore(**(arguments | settings))
