"""An owner's folder in the local file store lives as long as their files: its name is their
user id, which a deleted account must not leave behind on disk. A write racing the removal of an
owner's last file still lands."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from imagestudio.adapters.local_files import asset_bytes as local_module
from imagestudio.adapters.local_files.asset_bytes import LocalFileAssetBytes
from imagestudio.domain.media import MediaType

PNG = MediaType.PNG
WEBP = MediaType.WEBP


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "assets"


@pytest.fixture
def local(root: Path) -> LocalFileAssetBytes:
    return LocalFileAssetBytes(root)


async def test_the_owners_folder_goes_with_their_last_file(
    local: LocalFileAssetBytes, root: Path
) -> None:
    await local.put("alice@example.com", "ast_1", PNG, b"one")
    await local.put("alice@example.com", "ast_2", PNG, b"two")
    await local.put_thumbnail("alice@example.com", "ast_2", 256, WEBP, b"small")

    assert await local.remove("alice@example.com", "ast_1", PNG)
    assert (root / "alice@example.com").is_dir()  # two files left
    assert await local.remove("alice@example.com", "ast_2", PNG)
    assert (root / "alice@example.com").is_dir()  # the thumbnail left
    assert await local.remove_thumbnail("alice@example.com", "ast_2", 256, WEBP)

    assert os.listdir(root) == []


async def test_another_owners_folder_stays(local: LocalFileAssetBytes, root: Path) -> None:
    await local.put("alice", "ast_1", PNG, b"one")
    await local.put("bob", "ast_2", PNG, b"two")

    assert await local.remove("alice", "ast_1", PNG)

    assert os.listdir(root) == ["bob"]
    assert await local.get("bob", "ast_2", PNG) == b"two"


async def test_removing_what_is_not_there_removes_no_folder(
    local: LocalFileAssetBytes, root: Path
) -> None:
    await local.put("alice", "ast_1", PNG, b"one")

    assert not await local.remove("alice", "ast_9", PNG)

    assert os.listdir(root / "alice") == ["ast_1.png"]


async def test_a_write_racing_the_removal_of_the_last_file_still_lands(
    local: LocalFileAssetBytes, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await local.put("alice", "ast_1", PNG, b"one")
    real = local_module._temporary_beside
    raced: list[Path] = []

    def after_a_removal(path: Path) -> tuple[int, str]:
        if not raced:  # between the folder's check and the temporary file: the last file goes
            raced.append(path)
            os.unlink(path.parent / "ast_1.png")
            os.rmdir(path.parent)
        return real(path)

    monkeypatch.setattr(local_module, "_temporary_beside", after_a_removal)
    await local.put("alice", "ast_2", PNG, b"two")

    assert raced
    assert await local.get("alice", "ast_2", PNG) == b"two"
    assert os.listdir(root / "alice") == ["ast_2.png"]
