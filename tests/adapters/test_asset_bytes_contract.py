"""One contract for every AssetBytes store: what the asset vault and `storage gc` rely on."""

from __future__ import annotations

import contextlib
import logging
import urllib.request
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import obstore
import pytest
from moto.server import ThreadedMotoServer
from obstore.store import S3Store

from imagestudio.adapters.local_files.asset_bytes import LocalFileAssetBytes
from imagestudio.adapters.memory.asset_bytes import InMemoryAssetBytes
from imagestudio.adapters.s3.asset_bytes import S3AssetBytes
from imagestudio.application.ports.asset_bytes import AssetBytes, StoredBytes
from imagestudio.domain.media import MediaType

PNG = MediaType.PNG
CONTENT = {media: f"{media.value} bytes \x00\xff".encode() for media in MediaType}


# -- an S3 server of our own ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MotoS3:
    """A moto S3 server on loopback with one bucket, for as long as the fixture lives."""

    endpoint_url: str
    bucket: str

    def store(self, prefix: str | None = None, *, bucket: str | None = None) -> S3AssetBytes:
        """A store of its own: under a fresh prefix unless one is given."""
        return S3AssetBytes(
            bucket or self.bucket,
            prefix=f"test-{uuid.uuid4().hex}" if prefix is None else prefix,
            endpoint_url=self.endpoint_url,
            region="us-east-1",
            access_key_id="testing",
            secret_access_key="testing",
            allow_http=True,
            connect_timeout=timedelta(seconds=2),
            request_timeout=timedelta(seconds=10),
            max_retries=1,
            retry_timeout=timedelta(seconds=5),
        )

    def raw(self, bucket: str | None = None) -> S3Store:
        """The bucket without the adapter: to look at (and tamper with) what it stored."""
        return S3Store(
            bucket or self.bucket,
            endpoint=self.endpoint_url,
            region="us-east-1",
            access_key_id="testing",
            secret_access_key="testing",
            client_options={"allow_http": True},
        )

    def new_bucket(self) -> str:
        """A fresh, empty bucket: for a store that owns a whole bucket (no prefix)."""
        bucket = f"bucket-{uuid.uuid4().hex}"
        create_bucket(self.endpoint_url, bucket)
        return bucket


def create_bucket(endpoint_url: str, bucket: str) -> None:
    create = urllib.request.Request(f"{endpoint_url}/{bucket}", method="PUT")
    with urllib.request.urlopen(create, timeout=5) as created:
        assert created.status == 200


@contextlib.contextmanager
def running_moto_s3(bucket: str = "imagestudio-assets") -> Iterator[MotoS3]:
    """Start moto's S3 on 127.0.0.1 (a free port), create `bucket`, stop the server after."""
    werkzeug = logging.getLogger("werkzeug")
    level = werkzeug.level
    werkzeug.setLevel(logging.WARNING)  # not a line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint_url = f"http://{host}:{port}"
        create_bucket(endpoint_url, bucket)
        yield MotoS3(endpoint_url, bucket)
    finally:
        server.stop()
        werkzeug.setLevel(level)


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[MotoS3]:
    with running_moto_s3() as s3:
        yield s3


# -- the stores -------------------------------------------------------------------------------


@pytest.fixture(params=["memory", "local_files", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> AssetBytes:
    stores: dict[str, Callable[[], AssetBytes]] = {
        "memory": InMemoryAssetBytes,
        "local_files": lambda: LocalFileAssetBytes(tmp_path / "assets"),
        # The server starts only when an S3 case runs; each case gets its own prefix.
        "s3": lambda: request.getfixturevalue("moto_s3").store(),
    }
    return stores[request.param]()


async def listed(store: AssetBytes) -> list[StoredBytes]:
    return [stored async for stored in store.inventory()]


def summary(items: list[StoredBytes]) -> set[tuple[str, str, MediaType, int]]:
    return {(item.owner, item.asset_id, item.media_type, item.size_bytes) for item in items}


# -- bytes in, bytes out ----------------------------------------------------------------------


@pytest.mark.parametrize("media_type", list(MediaType), ids=lambda media: media.extension)
async def test_bytes_put_come_back_for_every_media_type(
    store: AssetBytes, media_type: MediaType
) -> None:
    await store.put("alice", "ast_1", media_type, CONTENT[media_type])

    assert await store.get("alice", "ast_1", media_type) == CONTENT[media_type]


async def test_putting_the_same_id_again_replaces_the_bytes(store: AssetBytes) -> None:
    await store.put("alice", "ast_1", PNG, b"first")
    await store.put("alice", "ast_1", PNG, b"second, longer")

    assert await store.get("alice", "ast_1", PNG) == b"second, longer"
    assert summary(await listed(store)) == {("alice", "ast_1", PNG, 14)}


async def test_the_same_id_under_another_media_type_is_another_object(store: AssetBytes) -> None:
    await store.put("alice", "ast_1", PNG, b"png")

    assert await store.get("alice", "ast_1", MediaType.JPEG) is None
    assert await store.remove("alice", "ast_1", MediaType.JPEG) is False
    assert await store.get("alice", "ast_1", PNG) == b"png"


async def test_empty_bytes_are_stored_too(store: AssetBytes) -> None:
    await store.put("alice", "ast_1", PNG, b"")

    assert await store.get("alice", "ast_1", PNG) == b""


async def test_bytes_never_put_are_none(store: AssetBytes) -> None:
    assert await store.get("alice", "ast_404", PNG) is None


async def test_remove_deletes_the_bytes_once(store: AssetBytes) -> None:
    await store.put("alice", "ast_1", PNG, b"png")

    assert await store.remove("alice", "ast_1", PNG) is True
    assert await store.get("alice", "ast_1", PNG) is None
    assert await store.remove("alice", "ast_1", PNG) is False


async def test_removing_bytes_never_put_says_false(store: AssetBytes) -> None:
    assert await store.remove("alice", "ast_404", PNG) is False


async def test_another_owner_can_neither_read_nor_remove_the_bytes(store: AssetBytes) -> None:
    await store.put("alice", "ast_1", PNG, b"alice's")

    assert await store.get("bob", "ast_1", PNG) is None
    assert await store.remove("bob", "ast_1", PNG) is False
    assert await store.get("alice", "ast_1", PNG) == b"alice's"


async def test_two_owners_keep_their_own_bytes_under_one_id(store: AssetBytes) -> None:
    await store.put("alice", "ast_1", PNG, b"alice's")
    await store.put("bob", "ast_1", PNG, b"bob's")

    assert await store.get("alice", "ast_1", PNG) == b"alice's"
    assert await store.get("bob", "ast_1", PNG) == b"bob's"


async def test_five_megabytes_make_the_round_trip(store: AssetBytes) -> None:
    large = bytes(range(256)) * (5 * 1024 * 4) + b"tail"  # 5 MiB and a little more

    await store.put("alice", "ast_big", MediaType.MP4, large)

    assert await store.get("alice", "ast_big", MediaType.MP4) == large
    assert summary(await listed(store)) == {("alice", "ast_big", MediaType.MP4, len(large))}


UNSAFE_NAMES = ["..", ".", "a/b", "../x", "", ".hidden", "a\\b", "x" * 129, "a\x00", "a b"]


@pytest.mark.parametrize("name", UNSAFE_NAMES)
async def test_an_unsafe_owner_or_id_is_refused(store: AssetBytes, name: str) -> None:
    for owner, asset_id in [(name, "ast_1"), ("alice", name)]:
        with pytest.raises(ValueError, match="not a safe name"):
            await store.put(owner, asset_id, PNG, b"png")
        with pytest.raises(ValueError, match="not a safe name"):
            await store.get(owner, asset_id, PNG)
        with pytest.raises(ValueError, match="not a safe name"):
            await store.remove(owner, asset_id, PNG)
        with pytest.raises(ValueError, match="not a safe name"):
            store.location(owner, asset_id, PNG)

    assert await listed(store) == []


async def test_a_name_of_128_characters_is_still_safe(store: AssetBytes) -> None:
    longest = "a" * 128
    await store.put(longest, longest, PNG, b"png")

    assert await store.get(longest, longest, PNG) == b"png"


async def test_location_names_the_owner_the_id_and_the_extension(store: AssetBytes) -> None:
    # Nothing was put: a location needs no I/O and no object behind it.
    assert store.location("alice", "ast_1", MediaType.JPEG).endswith("alice/ast_1.jpg")
    assert await listed(store) == []


# -- the inventory ----------------------------------------------------------------------------


async def test_an_empty_store_has_an_empty_inventory(store: AssetBytes) -> None:
    assert await listed(store) == []


async def test_the_inventory_lists_exactly_what_was_put(store: AssetBytes) -> None:
    await store.put("alice", "ast_1", PNG, b"1")
    await store.put("alice", "ast_2", MediaType.GLB, b"22")
    await store.put("alice", "ast.with.dots", MediaType.AVIF, b"333")
    await store.put("bob", "ast_1", MediaType.MP4, b"4444")
    await store.put("alice2", "ast_1", MediaType.JPEG, b"55555")  # alice's name as a prefix

    items = await listed(store)

    assert len(items) == 5
    assert summary(items) == {
        ("alice", "ast_1", PNG, 1),
        ("alice", "ast_2", MediaType.GLB, 2),
        ("alice", "ast.with.dots", MediaType.AVIF, 3),
        ("bob", "ast_1", MediaType.MP4, 4),
        ("alice2", "ast_1", MediaType.JPEG, 5),
    }


# -- thumbnails beside the bytes --------------------------------------------------------------

WEBP = MediaType.WEBP


async def test_a_thumbnail_is_kept_beside_its_assets_bytes_and_apart_from_them(
    store: AssetBytes,
) -> None:
    await store.put("alice", "ast_1", PNG, b"the image")
    await store.put_thumbnail("alice", "ast_1", 256, WEBP, b"small")
    await store.put_thumbnail("alice", "ast_1", 128, WEBP, b"smaller")

    assert await store.get_thumbnail("alice", "ast_1", 256, WEBP) == b"small"
    assert await store.get_thumbnail("alice", "ast_1", 128, WEBP) == b"smaller"
    assert await store.get_thumbnail("alice", "ast_1", 512, WEBP) is None
    assert await store.get_thumbnail("bob", "ast_1", 256, WEBP) is None
    assert await store.get("alice", "ast_1", PNG) == b"the image"
    assert await store.get("alice", "ast_1", WEBP) is None  # not the asset's bytes


async def test_the_inventory_marks_thumbnails_with_their_size(store: AssetBytes) -> None:
    await store.put("alice", "ast_1", PNG, b"1")
    await store.put_thumbnail("alice", "ast_1", 256, WEBP, b"22")

    items = {
        (i.owner, i.asset_id, i.media_type, i.size_bytes, i.thumbnail) for i in await listed(store)
    }

    assert items == {("alice", "ast_1", PNG, 1, None), ("alice", "ast_1", WEBP, 2, 256)}


async def test_removing_a_thumbnail_leaves_the_asset_and_says_whether_it_was_there(
    store: AssetBytes,
) -> None:
    await store.put("alice", "ast_1", PNG, b"1")
    await store.put_thumbnail("alice", "ast_1", 256, WEBP, b"22")

    assert await store.remove_thumbnail("alice", "ast_1", 256, WEBP) is True
    assert await store.remove_thumbnail("alice", "ast_1", 256, WEBP) is False
    assert await store.get_thumbnail("alice", "ast_1", 256, WEBP) is None
    assert [item.asset_id for item in await listed(store)] == ["ast_1"]


async def test_removed_bytes_vanish_from_the_inventory(store: AssetBytes) -> None:
    await store.put("alice", "ast_1", PNG, b"1")
    await store.put("alice", "ast_2", PNG, b"2")

    await store.remove("alice", "ast_1", PNG)

    assert summary(await listed(store)) == {("alice", "ast_2", PNG, 1)}


async def test_what_the_inventory_names_can_be_removed_while_it_runs(store: AssetBytes) -> None:
    for number in range(7):
        await store.put(f"owner_{number % 3}", f"ast_{number}", PNG, b"x")

    async for item in store.inventory():  # as `storage gc` does
        assert await store.remove(item.owner, item.asset_id, item.media_type) is True

    assert await listed(store) == []


async def test_the_inventory_says_when_each_object_was_written_in_utc(store: AssetBytes) -> None:
    before = datetime.now(UTC)
    await store.put("alice", "ast_1", PNG, b"1")
    after = datetime.now(UTC)

    [item] = await listed(store)

    assert item.modified_at.utcoffset() == timedelta(0)
    # S3 keeps whole seconds and file systems a coarse clock: a second either side.
    assert before - timedelta(seconds=1) <= item.modified_at <= after + timedelta(seconds=1)


# -- what an inventory skips, in the stores others can write into ----------------------------


@dataclass(frozen=True, slots=True)
class Planted:
    """A store, and ways to write any name into its root (or prefix) and beside it."""

    store: AssetBytes
    inside: Callable[[str, bytes], Awaitable[None]]
    outside: Callable[[str, bytes], Awaitable[None]]


def write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pytest.fixture(params=["local_files", "s3"])
def planted(request: pytest.FixtureRequest, tmp_path: Path) -> Planted:
    if request.param == "local_files":
        root = tmp_path / "assets"

        async def inside_root(name: str, data: bytes) -> None:
            write_file(root / name, data)

        async def beside_root(name: str, data: bytes) -> None:
            write_file(tmp_path / "elsewhere" / name, data)

        return Planted(LocalFileAssetBytes(root), inside_root, beside_root)
    s3: MotoS3 = request.getfixturevalue("moto_s3")
    prefix = f"test-{uuid.uuid4().hex}"
    raw = s3.raw()

    async def inside_prefix(name: str, data: bytes) -> None:
        await obstore.put_async(raw, f"{prefix}/{name}", data)

    async def beside_prefix(name: str, data: bytes) -> None:
        # Our prefix is a prefix of this one's text, but not of its path.
        await obstore.put_async(raw, f"{prefix}x/{name}", data)

    return Planted(s3.store(prefix), inside_prefix, beside_prefix)


JUNK = [
    "alice/.tmp1a2b3c.tmp",  # a write cut short
    "alice/.ast_9.png",  # hidden
    "alice/ast_9.txt",  # unknown extension
    "alice/ast_9.PNG",  # not the extension a store writes
    "alice/ast_9.jpeg",
    "alice/ast_9",  # no extension
    "alice/ast_9.json",  # an old store's description
    "alice/.png",  # no id
    "alice/not safe.png",
    "alice/nested/ast_9.png",
    "stray.png",  # directly under the root
    ".hidden/ast_9.png",  # not a safe owner
    "not safe/ast_9.png",
]


async def test_the_inventory_skips_what_no_store_wrote(planted: Planted) -> None:
    await planted.store.put("alice", "ast_1", PNG, b"png")
    for name in JUNK:
        await planted.inside(name, b"junk")
    await planted.outside("alice/ast_2.png", b"outside")

    assert summary(await listed(planted.store)) == {("alice", "ast_1", PNG, 3)}


async def test_bytes_written_by_another_hand_in_the_layout_are_listed(planted: Planted) -> None:
    # An orphan is an orphan whoever wrote it: gc must see it to remove it.
    await planted.inside("carol/ast_7.webp", b"webp")

    assert summary(await listed(planted.store)) == {("carol", "ast_7", MediaType.WEBP, 4)}
    assert await planted.store.get("carol", "ast_7", MediaType.WEBP) == b"webp"


# -- the memory store -------------------------------------------------------------------------


class SteppingClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


async def test_memory_records_the_time_of_its_clock() -> None:
    clock = SteppingClock(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    store = InMemoryAssetBytes(clock=clock)
    await store.put("alice", "ast_old", PNG, b"old")
    clock.now += timedelta(days=3)
    await store.put("alice", "ast_new", PNG, b"new")

    times = {item.asset_id: item.modified_at async for item in store.inventory()}

    assert times == {
        "ast_old": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "ast_new": datetime(2026, 1, 5, 3, 4, 5, tzinfo=UTC),
    }


async def test_memory_putting_again_renews_the_time() -> None:
    clock = SteppingClock(datetime(2026, 1, 2, tzinfo=UTC))
    store = InMemoryAssetBytes(clock=clock)
    await store.put("alice", "ast_1", PNG, b"old")
    clock.now += timedelta(hours=1)
    await store.put("alice", "ast_1", PNG, b"new")

    assert [item.modified_at async for item in store.inventory()] == [clock.now]


async def test_memory_location_is_a_memory_url() -> None:
    assert InMemoryAssetBytes().location("alice", "ast_1", MediaType.GLB) == (
        "memory://alice/ast_1.glb"
    )
