"""One contract for every AssetStore: what a use case may rely on, whatever holds the bytes."""

from __future__ import annotations

import contextlib
import logging
import os
import urllib.request
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import obstore
import pytest
from moto.server import ThreadedMotoServer
from obstore.store import S3Store

from imagestudio.adapters.local_files.asset_metadata import asset_to_json
from imagestudio.adapters.local_files.asset_store import LocalFileAssetStore
from imagestudio.adapters.memory.asset_store import InMemoryAssetStore
from imagestudio.adapters.s3.asset_store import S3AssetStore
from imagestudio.application.ports.asset_store import AssetStore
from imagestudio.domain.asset import Asset, AssetCursor
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_kind import OperationKind

PNG_BYTES = b"\x89PNG\r\n\x1a\n not really, but bytes are bytes"


def an_asset(**changes: object) -> Asset:
    asset = Asset(
        id="ast_000001",
        owner="alice",
        operation_id="op_000001",
        model_id="flux-schnell",
        kind=OperationKind.TEXT_TO_IMAGE,
        media_type=MediaType.PNG,
        size_bytes=len(PNG_BYTES),
        created_at=datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC),
        width=1024,
        height=768,
        duration_seconds=2.5,
        prompt="a lighthouse in fog — «brume»",
        cost=27_500,
    )
    return replace(asset, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class MotoS3:
    """A moto S3 server on loopback with one bucket, for as long as the test session runs."""

    endpoint_url: str
    bucket: str

    def store(self, prefix: str | None = None) -> S3AssetStore:
        """A store of its own: under a fresh prefix unless one is given."""
        return S3AssetStore(
            self.bucket,
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
        create = urllib.request.Request(f"{endpoint_url}/{bucket}", method="PUT")
        with urllib.request.urlopen(create, timeout=5) as created:
            assert created.status == 200
        yield MotoS3(endpoint_url, bucket)
    finally:
        server.stop()
        werkzeug.setLevel(level)


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[MotoS3]:
    with running_moto_s3() as s3:
        yield s3


@pytest.fixture(params=["local_files", "memory", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> AssetStore:
    stores: dict[str, Callable[[], AssetStore]] = {
        "local_files": lambda: LocalFileAssetStore(tmp_path / "assets"),
        "memory": InMemoryAssetStore,
        # The server starts only when an S3 case runs; each case gets its own prefix.
        "s3": lambda: request.getfixturevalue("moto_s3").store(),
    }
    return stores[request.param]()


async def test_a_saved_asset_loads_with_the_same_description_and_bytes(store: AssetStore) -> None:
    await store.save(an_asset(), PNG_BYTES)

    assert await store.load("alice", "ast_000001") == (an_asset(), PNG_BYTES)


async def test_describe_gives_the_asset_without_its_bytes(store: AssetStore) -> None:
    await store.save(an_asset(), PNG_BYTES)

    assert await store.describe("alice", "ast_000001") == an_asset()


async def test_optional_fields_left_empty_survive_the_round_trip(store: AssetStore) -> None:
    bare = an_asset(width=None, height=None, duration_seconds=None, prompt="", cost=0)
    await store.save(bare, PNG_BYTES)

    assert await store.describe("alice", "ast_000001") == bare


async def test_a_missing_asset_is_none(store: AssetStore) -> None:
    assert await store.load("alice", "ast_404") is None
    assert await store.describe("alice", "ast_404") is None


async def test_another_owner_cannot_load_or_describe_the_asset(store: AssetStore) -> None:
    await store.save(an_asset(), PNG_BYTES)

    assert await store.load("mallory", "ast_000001") is None
    assert await store.describe("mallory", "ast_000001") is None


async def test_another_owner_cannot_delete_the_asset(store: AssetStore) -> None:
    await store.save(an_asset(), PNG_BYTES)

    assert await store.delete("mallory", "ast_000001") is False
    assert await store.load("alice", "ast_000001") == (an_asset(), PNG_BYTES)


async def test_delete_removes_the_asset(store: AssetStore) -> None:
    await store.save(an_asset(), PNG_BYTES)

    assert await store.delete("alice", "ast_000001") is True
    assert await store.load("alice", "ast_000001") is None


async def test_deleting_a_missing_asset_says_false(store: AssetStore) -> None:
    assert await store.delete("alice", "ast_404") is False


async def test_saving_again_replaces_the_asset(store: AssetStore) -> None:
    await store.save(an_asset(), PNG_BYTES)
    jpeg = an_asset(media_type=MediaType.JPEG, size_bytes=4)
    await store.save(jpeg, b"jpeg")

    assert await store.load("alice", "ast_000001") == (jpeg, b"jpeg")


async def test_location_names_the_asset(store: AssetStore) -> None:
    await store.save(an_asset(), PNG_BYTES)

    assert "ast_000001" in store.location(an_asset())


# Paging: an owner's assets newest first, by (created_at, id) descending, after a cursor.

T = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def dated(asset_id: str, created_at: datetime, owner: str = "alice") -> Asset:
    return an_asset(id=asset_id, owner=owner, created_at=created_at)


# Newest first: d (T + 1 s), then the three at T by id descending, then e (T - 1 s).
TIED = [dated("ast_b", T), dated("ast_e", T - SECOND), dated("ast_d", T + SECOND)]
TIED += [dated("ast_a", T), dated("ast_c", T)]


async def save_all(store: AssetStore, assets: list[Asset]) -> None:
    for asset in assets:
        await store.save(asset, PNG_BYTES)


async def ids_of_every_page(store: AssetStore, owner: str, limit: int) -> list[list[str]]:
    pages: list[list[str]] = []
    after: AssetCursor | None = None
    while page := await store.page(owner, after=after, limit=limit):
        pages.append([asset.id for asset in page])
        after = AssetCursor.at(page[-1])
    return pages


async def test_an_owner_without_assets_has_an_empty_page(store: AssetStore) -> None:
    assert await store.page("alice", after=None, limit=10) == ()


async def test_one_page_holds_every_asset_newest_first(store: AssetStore) -> None:
    await save_all(store, TIED)

    page = await store.page("alice", after=None, limit=5)

    assert [asset.id for asset in page] == ["ast_d", "ast_c", "ast_b", "ast_a", "ast_e"]
    assert page[0] == dated("ast_d", T + SECOND)  # whole descriptions, not just ids


async def test_a_page_holds_at_most_the_limit(store: AssetStore) -> None:
    await save_all(store, TIED)

    assert [asset.id for asset in await store.page("alice", after=None, limit=2)] == [
        "ast_d",
        "ast_c",
    ]


async def test_pages_follow_one_another_with_ties_in_time_ordered_by_id(store: AssetStore) -> None:
    await save_all(store, TIED)

    assert await ids_of_every_page(store, "alice", limit=2) == [
        ["ast_d", "ast_c"],
        ["ast_b", "ast_a"],
        ["ast_e"],
    ]


async def test_a_cursor_still_works_when_its_asset_and_others_were_deleted(
    store: AssetStore,
) -> None:
    await save_all(store, TIED)
    first = await store.page("alice", after=None, limit=2)
    await store.delete("alice", "ast_c")  # the cursor's own asset
    await store.delete("alice", "ast_b")

    rest = await store.page("alice", after=AssetCursor.at(first[-1]), limit=10)

    assert [asset.id for asset in rest] == ["ast_a", "ast_e"]


async def test_assets_saved_meanwhile_appear_only_where_they_belong(store: AssetStore) -> None:
    await save_all(store, TIED)
    first = await store.page("alice", after=None, limit=2)
    await save_all(store, [dated("ast_z", T + 2 * SECOND), dated("ast_bb", T)])

    rest = await store.page("alice", after=AssetCursor.at(first[-1]), limit=10)

    assert [asset.id for asset in rest] == ["ast_bb", "ast_b", "ast_a", "ast_e"]


async def test_an_asset_saved_again_is_listed_once(store: AssetStore) -> None:
    await store.save(an_asset(), PNG_BYTES)
    await store.save(an_asset(media_type=MediaType.WEBP), b"webp")

    assert await store.page("alice", after=None, limit=10) == (an_asset(media_type=MediaType.WEBP),)


async def test_another_owners_assets_never_appear(store: AssetStore) -> None:
    await save_all(store, TIED)
    # "alice2" shares alice's name as a prefix: a listing must not take it for her folder.
    others = [dated("ast_m", T, owner="mallory"), dated("ast_n", T + SECOND, owner="alice2")]
    await save_all(store, others)

    assert [asset.owner for asset in await store.page("alice", after=None, limit=10)] == [
        "alice"
    ] * 5
    assert await store.page("mallory", after=None, limit=10) == (others[0],)
    assert await store.page("bob", after=None, limit=10) == ()


# Stray files beside an owner's assets, in the stores that keep files: skipped, never fatal.


@pytest.fixture(params=["local_files", "s3"])
def stored_and_raw(
    request: pytest.FixtureRequest, tmp_path: Path
) -> tuple[AssetStore, Callable[[str, bytes], Awaitable[None]]]:
    """A store, and a way to put a file of any name into alice's folder behind its back."""
    if request.param == "local_files":
        root = tmp_path / "assets"

        async def put_local(name: str, data: bytes) -> None:
            put_file(root / "alice" / name, data)

        return LocalFileAssetStore(root), put_local
    s3: MotoS3 = request.getfixturevalue("moto_s3")
    prefix = f"test-{uuid.uuid4().hex}"
    raw = S3Store(
        s3.bucket,
        endpoint=s3.endpoint_url,
        region="us-east-1",
        access_key_id="testing",
        secret_access_key="testing",
        client_options={"allow_http": True},
    )

    async def put_object(name: str, data: bytes) -> None:
        await obstore.put_async(raw, f"{prefix}/alice/{name}", data)

    return s3.store(prefix), put_object


async def test_stray_files_are_skipped_by_a_listing(
    stored_and_raw: tuple[AssetStore, Callable[[str, bytes], Awaitable[None]]],
) -> None:
    store, put = stored_and_raw
    await store.save(an_asset(), PNG_BYTES)
    await put("ast_bytes_only.png", PNG_BYTES)  # a save cut short before its description
    await put("ast_no_bytes.json", asset_to_json(an_asset(id="ast_no_bytes")))
    await put("ast_broken.json", b'{"id": "ast_broken", "owner": ')
    await put("ast_broken.png", PNG_BYTES)
    await put("ast_bobs.json", asset_to_json(an_asset(id="ast_bobs", owner="bob")))
    await put("ast_bobs.png", PNG_BYTES)
    await put("not a safe name.json", asset_to_json(an_asset(id="not a safe name")))
    await put("nested/ast_deep.json", asset_to_json(an_asset(id="ast_deep")))
    await put("nested/ast_deep.png", PNG_BYTES)
    await put(".ast_000002.json.tmp", asset_to_json(an_asset(id="ast_000002")))

    assert await store.page("alice", after=None, limit=10) == (an_asset(),)


# The local file store: where the files go, and what it refuses.


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "assets"


@pytest.fixture
def local(root: Path) -> LocalFileAssetStore:
    return LocalFileAssetStore(root)


def resolved(root: Path, name: str) -> str:
    return str(root.resolve() / name)


def put_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


async def test_bytes_and_description_are_stored_under_the_owner(
    local: LocalFileAssetStore, root: Path
) -> None:
    await local.save(an_asset(), PNG_BYTES)

    assert files_under(root) == ["alice/ast_000001.json", "alice/ast_000001.png"]
    assert (root / "alice" / "ast_000001.png").read_bytes() == PNG_BYTES


async def test_location_is_the_path_of_the_bytes(local: LocalFileAssetStore, root: Path) -> None:
    await local.save(an_asset(), PNG_BYTES)

    assert local.location(an_asset()) == resolved(root, "alice/ast_000001.png")


async def test_delete_removes_bytes_and_description(local: LocalFileAssetStore, root: Path) -> None:
    await local.save(an_asset(), PNG_BYTES)

    await local.delete("alice", "ast_000001")

    assert files_under(root) == []


async def test_replacing_with_another_media_type_leaves_no_stale_bytes(
    local: LocalFileAssetStore, root: Path
) -> None:
    await local.save(an_asset(), PNG_BYTES)
    await local.save(an_asset(media_type=MediaType.WEBP), b"webp")

    assert files_under(root) == ["alice/ast_000001.json", "alice/ast_000001.webp"]


async def test_bytes_without_a_description_are_not_an_asset(
    local: LocalFileAssetStore, root: Path
) -> None:
    put_file(root / "alice" / "ast_000001.png", PNG_BYTES)

    assert await local.load("alice", "ast_000001") is None


UNSAFE_NAMES = ["../x", "a/b", "..", ".", "", "/etc/passwd", ".hidden", "a\\b", "x" * 129, "a\x00"]


@pytest.mark.parametrize("asset_id", UNSAFE_NAMES)
async def test_an_unsafe_asset_id_is_refused(local: LocalFileAssetStore, asset_id: str) -> None:
    with pytest.raises(ValueError, match="not a safe name"):
        await local.load("alice", asset_id)
    with pytest.raises(ValueError, match="not a safe name"):
        await local.save(an_asset(id=asset_id), PNG_BYTES)


@pytest.mark.parametrize("owner", UNSAFE_NAMES)
async def test_an_unsafe_owner_is_refused(local: LocalFileAssetStore, owner: str) -> None:
    with pytest.raises(ValueError, match="not a safe name"):
        await local.describe(owner, "ast_000001")
    with pytest.raises(ValueError, match="not a safe name"):
        await local.save(an_asset(owner=owner), PNG_BYTES)


async def test_an_unsafe_name_is_refused_by_delete_and_location(
    local: LocalFileAssetStore,
) -> None:
    with pytest.raises(ValueError, match="not a safe name"):
        await local.delete("alice", "../x")
    with pytest.raises(ValueError, match="not a safe name"):
        local.location(an_asset(owner=".."))


@pytest.fixture
def alice_linked_outside(root: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    root.mkdir()
    (root / "alice").symlink_to(tmp_path / "elsewhere")


@pytest.mark.usefixtures("alice_linked_outside")
async def test_an_owner_directory_linking_outside_the_root_is_refused(
    local: LocalFileAssetStore,
) -> None:
    with pytest.raises(ValueError, match="leave the asset store"):
        await local.save(an_asset(), PNG_BYTES)
    with pytest.raises(ValueError, match="leave the asset store"):
        await local.page("alice", after=None, limit=10)


async def test_an_owner_directory_linking_to_another_owners_is_not_listed(
    local: LocalFileAssetStore, root: Path
) -> None:
    await local.save(an_asset(owner="bob"), PNG_BYTES)
    (root / "alice").symlink_to(root / "bob")

    with pytest.raises(ValueError, match="leave the asset store"):
        await local.page("alice", after=None, limit=10)


async def test_paging_an_unsafe_owner_is_refused(local: LocalFileAssetStore) -> None:
    with pytest.raises(ValueError, match="not a safe name"):
        await local.page("..", after=None, limit=10)


async def test_a_failed_write_leaves_no_file_behind(
    local: LocalFileAssetStore, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_replace(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)

    with pytest.raises(OSError, match="disk full"):
        await local.save(an_asset(), PNG_BYTES)

    assert files_under(root) == []


async def test_a_failed_description_write_removes_the_new_bytes(
    local: LocalFileAssetStore, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace

    def replace_only_bytes(source: str, target: str) -> None:
        if str(target).endswith(".json"):
            raise OSError("disk full")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace_only_bytes)

    with pytest.raises(OSError, match="disk full"):
        await local.save(an_asset(), PNG_BYTES)

    assert files_under(root) == []
    assert await local.load("alice", "ast_000001") is None
