"""The local file store beyond the shared contract: where files go, links, atomic writes."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from imagestudio.adapters.local_files import asset_bytes as local_module
from imagestudio.adapters.local_files.asset_bytes import LocalFileAssetBytes
from imagestudio.application.ports.asset_bytes import StoredBytes
from imagestudio.domain.media import MediaType

PNG = MediaType.PNG


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "assets"


@pytest.fixture
def local(root: Path) -> LocalFileAssetBytes:
    return LocalFileAssetBytes(root)


def files_under(path: Path) -> list[str]:
    return sorted(str(found.relative_to(path)) for found in path.rglob("*") if found.is_file())


def names_in(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))


def read_file(path: Path) -> bytes:
    return path.read_bytes()


async def listed(store: LocalFileAssetBytes) -> list[StoredBytes]:
    return [stored async for stored in store.inventory()]


async def test_bytes_are_one_file_under_the_owners_directory(
    local: LocalFileAssetBytes, root: Path
) -> None:
    await local.put("alice", "ast_1", MediaType.AVIF, b"avif")

    assert files_under(root) == ["alice/ast_1.avif"]
    assert (root / "alice" / "ast_1.avif").read_bytes() == b"avif"


def test_location_is_the_absolute_path_of_the_file(local: LocalFileAssetBytes, root: Path) -> None:
    location = local.location("alice", "ast_1", MediaType.JPEG)

    assert location == str(root.resolve() / "alice" / "ast_1.jpg")
    assert not root.exists()  # no I/O


async def test_the_location_holds_the_bytes(local: LocalFileAssetBytes) -> None:
    await local.put("alice", "ast_1", MediaType.JPEG, b"jpeg")

    assert read_file(Path(local.location("alice", "ast_1", MediaType.JPEG))) == b"jpeg"


def test_a_relative_root_gives_absolute_locations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    location = LocalFileAssetBytes(Path("assets")).location("alice", "ast_1", PNG)

    assert location == str(tmp_path.resolve() / "assets" / "alice" / "ast_1.png")


async def test_an_unsafe_name_touches_nothing_on_disk(
    local: LocalFileAssetBytes, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="not a safe name"):
        await local.put("..", "ast_1", PNG, b"png")
    with pytest.raises(ValueError, match="not a safe name"):
        await local.put("alice", "../../escape", PNG, b"png")

    assert names_in(tmp_path) == []


# Atomic writes.


def failing_replace(*_: object) -> None:
    raise OSError("disk full")


async def test_a_failed_rename_leaves_neither_the_file_nor_a_temporary_one(
    local: LocalFileAssetBytes, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "replace", failing_replace)

    with pytest.raises(OSError, match="disk full"):
        await local.put("alice", "ast_1", PNG, b"png")

    assert files_under(root) == []


async def test_a_failed_flush_leaves_no_temporary_file(
    local: LocalFileAssetBytes, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_fsync(_: int) -> None:
        raise OSError("I/O error")

    monkeypatch.setattr(os, "fsync", failing_fsync)

    with pytest.raises(OSError, match="I/O error"):
        await local.put("alice", "ast_1", PNG, b"png")

    assert files_under(root) == []


async def test_a_failed_overwrite_keeps_the_bytes_there_were(
    local: LocalFileAssetBytes, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await local.put("alice", "ast_1", PNG, b"old")
    monkeypatch.setattr(os, "replace", failing_replace)

    with pytest.raises(OSError, match="disk full"):
        await local.put("alice", "ast_1", PNG, b"new")

    assert await local.get("alice", "ast_1", PNG) == b"old"
    assert files_under(root) == ["alice/ast_1.png"]


async def test_the_temporary_file_is_hidden_beside_its_target(
    local: LocalFileAssetBytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    renamed: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def observed_replace(source: str, target: str) -> None:
        renamed.append((Path(source), Path(target)))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", observed_replace)

    await local.put("alice", "ast_1", PNG, b"png")

    [(source, target)] = renamed
    assert target == Path(local.location("alice", "ast_1", PNG))
    assert source.parent == target.parent
    assert source.name.startswith(".")


# The inventory.


async def test_the_inventory_reports_the_file_modification_time(
    local: LocalFileAssetBytes, root: Path
) -> None:
    await local.put("alice", "ast_old", PNG, b"old")
    written = datetime(2025, 6, 7, 8, 9, 10, tzinfo=UTC)
    os.utime(root / "alice" / "ast_old.png", (written.timestamp(), written.timestamp()))

    [item] = await listed(local)

    assert item.modified_at == written
    assert item.modified_at.tzinfo is UTC


async def test_the_inventory_reads_large_directories_in_chunks(
    local: LocalFileAssetBytes, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_module, "_SCAN_CHUNK", 4)
    for number in range(10):
        await local.put(f"owner_{number % 2}", f"ast_{number}", PNG, b"x")
    for number in range(9):
        (root / f"junk_{number}").mkdir()  # owner-looking directories with nothing inside

    items = await listed(local)

    assert sorted(item.asset_id for item in items) == sorted(f"ast_{n}" for n in range(10))


async def test_a_store_whose_root_is_a_file_lists_nothing(tmp_path: Path) -> None:
    (tmp_path / "assets").write_bytes(b"not a directory")

    assert await listed(LocalFileAssetBytes(tmp_path / "assets")) == []


@pytest.fixture
def alice_is_a_file(root: Path) -> None:
    root.mkdir()
    (root / "alice").write_bytes(b"not a directory")


@pytest.mark.usefixtures("alice_is_a_file")
async def test_a_file_where_an_owner_directory_would_be_is_skipped(
    local: LocalFileAssetBytes,
) -> None:
    assert await listed(local) == []
    assert await local.get("alice", "ast_1", PNG) is None
    assert await local.remove("alice", "ast_1", PNG) is False
    with pytest.raises(NotADirectoryError):
        await local.put("alice", "ast_1", PNG, b"png")


# Links: never followed out of the store or into another owner's files.


@pytest.fixture
def alice_linked_outside(root: Path, tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "ast_1.png").write_bytes(b"secret")
    root.mkdir()
    (root / "alice").symlink_to(outside)
    return outside


async def test_an_owner_directory_linking_outside_the_root_is_refused(
    local: LocalFileAssetBytes, alice_linked_outside: Path
) -> None:
    with pytest.raises(ValueError, match="leave the asset store"):
        await local.put("alice", "ast_2", PNG, b"png")
    with pytest.raises(ValueError, match="leave the asset store"):
        await local.get("alice", "ast_1", PNG)
    with pytest.raises(ValueError, match="leave the asset store"):
        await local.remove("alice", "ast_1", PNG)

    assert names_in(alice_linked_outside) == ["ast_1.png"]
    assert await listed(local) == []


async def test_an_owner_directory_linking_to_another_owners_is_not_listed_twice(
    local: LocalFileAssetBytes, root: Path
) -> None:
    await local.put("bob", "ast_1", PNG, b"bob's")
    (root / "alice").symlink_to(root / "bob")

    with pytest.raises(ValueError, match="leave the asset store"):
        await local.get("alice", "ast_1", PNG)
    assert [(item.owner, item.asset_id) for item in await listed(local)] == [("bob", "ast_1")]


async def test_a_file_that_is_a_link_is_neither_read_nor_listed(
    local: LocalFileAssetBytes, root: Path, tmp_path: Path
) -> None:
    (tmp_path / "secret").write_bytes(b"secret")
    (root / "alice").mkdir(parents=True)
    (root / "alice" / "ast_1.png").symlink_to(tmp_path / "secret")

    with pytest.raises(ValueError, match="leave the asset store"):
        await local.get("alice", "ast_1", PNG)
    with pytest.raises(ValueError, match="leave the asset store"):
        await local.put("alice", "ast_1", PNG, b"png")
    assert await listed(local) == []
    assert (tmp_path / "secret").read_bytes() == b"secret"
    assert names_in(root / "alice") == ["ast_1.png"]  # no temporary file left either


async def test_a_root_replaced_by_a_link_is_not_written_through(
    local: LocalFileAssetBytes, root: Path, tmp_path: Path
) -> None:
    await local.put("alice", "ast_1", PNG, b"png")
    os.rename(root, tmp_path / "moved")
    os.symlink(tmp_path / "moved", root)

    with pytest.raises(ValueError, match="leave the asset store"):
        await local.put("alice", "ast_2", PNG, b"png")
    assert names_in(tmp_path / "moved" / "alice") == ["ast_1.png"]
