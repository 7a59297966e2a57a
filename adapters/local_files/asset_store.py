"""Assets as files: `<root>/<owner>/<asset_id>.<ext>` beside an `<asset_id>.json` description."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from imagestudio.adapters.asset_ids import checked_name
from imagestudio.adapters.local_files.asset_metadata import asset_from_json, asset_to_json
from imagestudio.domain.asset import Asset, AssetCursor, newest_first
from imagestudio.domain.media import MediaType


class LocalFileAssetStore:
    """The `AssetStore` port on a directory, one sub-directory per owner.

    Every file is written to a temporary sibling, flushed to disk and renamed into place; the
    description goes last, so an asset without one does not exist.
    """

    def __init__(self, root: Path) -> None:
        self._root = Path(root).resolve()

    async def save(self, asset: Asset, data: bytes) -> None:
        await asyncio.to_thread(self._save, asset, data)

    async def load(self, owner: str, asset_id: str) -> tuple[Asset, bytes] | None:
        return await asyncio.to_thread(self._load, owner, asset_id)

    async def describe(self, owner: str, asset_id: str) -> Asset | None:
        return await asyncio.to_thread(self._describe, owner, asset_id)

    async def page(self, owner: str, *, after: AssetCursor | None, limit: int) -> tuple[Asset, ...]:
        return await asyncio.to_thread(self._page, owner, after, limit)

    async def delete(self, owner: str, asset_id: str) -> bool:
        return await asyncio.to_thread(self._delete, owner, asset_id)

    def location(self, asset: Asset) -> str:
        return str(self._file(asset.owner, asset.id, asset.media_type.extension))

    def _save(self, asset: Asset, data: bytes) -> None:
        bytes_path = self._file(asset.owner, asset.id, asset.media_type.extension)
        sidecar = self._file(asset.owner, asset.id, "json")
        previous = self._describe(asset.owner, asset.id)
        bytes_path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(bytes_path, data)
        try:
            _write_atomically(sidecar, asset_to_json(asset))
        except BaseException:
            if previous is None:
                bytes_path.unlink(missing_ok=True)
            raise
        if previous is not None and previous.media_type is not asset.media_type:
            self._file(asset.owner, asset.id, previous.media_type.extension).unlink(missing_ok=True)

    def _load(self, owner: str, asset_id: str) -> tuple[Asset, bytes] | None:
        asset = self._describe(owner, asset_id)
        if asset is None:
            return None
        try:
            data = self._file(owner, asset_id, asset.media_type.extension).read_bytes()
        except FileNotFoundError:
            return None
        return asset, data

    def _describe(self, owner: str, asset_id: str) -> Asset | None:
        try:
            text = self._file(owner, asset_id, "json").read_bytes()
        except FileNotFoundError:
            return None
        asset = asset_from_json(text)
        if asset.owner != owner or asset.id != asset_id:
            return None
        return asset

    def _page(self, owner: str, after: AssetCursor | None, limit: int) -> tuple[Asset, ...]:
        return newest_first(self._assets_of(owner), after=after, limit=limit)

    def _assets_of(self, owner: str) -> Iterator[Asset]:
        """Every asset `load` would find in the owner's directory, in no particular order."""
        directory = self._root / checked_name("owner", owner)
        if directory.resolve() != directory:
            raise ValueError(f"the assets of {owner!r} would leave the asset store")
        try:
            with os.scandir(directory) as entries:
                names = [entry.name for entry in entries if entry.is_file()]
        except (FileNotFoundError, NotADirectoryError):
            return  # nothing was ever saved for this owner
        for name in names:
            if name.endswith(".json") and (asset := self._listed(owner, name[: -len(".json")])):
                yield asset

    def _listed(self, owner: str, asset_id: str) -> Asset | None:
        # A stray file is skipped rather than failing the whole listing: a description that is
        # unreadable, names another asset or has no bytes beside it is not an asset (as in load).
        try:
            asset = self._describe(owner, asset_id)
        except ValueError:
            return None
        if asset is None:
            return None
        return asset if self._file(owner, asset_id, asset.media_type.extension).is_file() else None

    def _delete(self, owner: str, asset_id: str) -> bool:
        try:
            self._file(owner, asset_id, "json").unlink()
            existed = True
        except FileNotFoundError:
            existed = False
        for media_type in MediaType:
            self._file(owner, asset_id, media_type.extension).unlink(missing_ok=True)
        return existed

    def _file(self, owner: str, asset_id: str, extension: str) -> Path:
        directory = self._root / checked_name("owner", owner)
        path = (directory / f"{checked_name('asset id', asset_id)}.{extension}").resolve()
        if not path.is_relative_to(directory):
            raise ValueError(f"asset {asset_id!r} of {owner!r} would leave the asset store")
        return path


def _write_atomically(path: Path, data: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
