"""Asset bytes as files: `<root>/<owner>/<asset_id>.<extension>`."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import stat
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TypeVar

from imagestudio.adapters.asset_ids import checked_name
from imagestudio.adapters.asset_keys import AssetKey
from imagestudio.application.ports.asset_bytes import StoredBytes
from imagestudio.domain.media import MediaType

_SCAN_CHUNK = 256
"""Directory entries read (and stat-ed) per trip to a worker thread during an inventory."""

T = TypeVar("T")


class LocalFileAssetBytes:
    """The `AssetBytes` port on a directory, one sub-directory per owner.

    Every file is written to a temporary sibling whose name starts with a dot (no asset's name
    does, so an inventory never takes it for one), flushed to disk and renamed into place.
    A path that a symbolic link would lead elsewhere is refused with ValueError.
    """

    def __init__(self, root: Path) -> None:
        self._root = Path(root).resolve()

    async def put(self, owner: str, asset_id: str, media_type: MediaType, data: bytes) -> None:
        await asyncio.to_thread(self._write, self._path(owner, asset_id, media_type), data)

    async def get(self, owner: str, asset_id: str, media_type: MediaType) -> bytes | None:
        return await asyncio.to_thread(self._read, self._path(owner, asset_id, media_type))

    async def remove(self, owner: str, asset_id: str, media_type: MediaType) -> bool:
        return await asyncio.to_thread(self._unlink, self._path(owner, asset_id, media_type))

    async def put_thumbnail(
        self, owner: str, asset_id: str, size: int, media_type: MediaType, data: bytes
    ) -> None:
        key = AssetKey(owner, asset_id, media_type, size)
        await asyncio.to_thread(self._write, self._root / key.path, data)

    async def get_thumbnail(
        self, owner: str, asset_id: str, size: int, media_type: MediaType
    ) -> bytes | None:
        key = AssetKey(owner, asset_id, media_type, size)
        return await asyncio.to_thread(self._read, self._root / key.path)

    async def remove_thumbnail(
        self, owner: str, asset_id: str, size: int, media_type: MediaType
    ) -> bool:
        key = AssetKey(owner, asset_id, media_type, size)
        return await asyncio.to_thread(self._unlink, self._root / key.path)

    async def inventory(self) -> AsyncIterator[StoredBytes]:
        async for owner in _scanned(self._root, _owner_directory):
            async for stored in _scanned(self._root / owner, partial(_stored_file, owner)):
                yield stored

    def location(self, owner: str, asset_id: str, media_type: MediaType) -> str:
        return str(self._path(owner, asset_id, media_type))

    def _path(self, owner: str, asset_id: str, media_type: MediaType) -> Path:
        return self._root / AssetKey(owner, asset_id, media_type).path

    def _write(self, path: Path, data: bytes) -> None:
        try:
            self._write_once(path, data)
        except FileNotFoundError:
            # The owner's directory went with their last file (`_unlink`) after it was checked:
            # made again, and written again.
            self._write_once(path, data)

    def _write_once(self, path: Path, data: bytes) -> None:
        # Checked by `lstat` of the two levels a key has (the owner's directory, the file): the
        # same refusal as `_inside`, for a few system calls instead of a walk from `/`.
        directory = path.parent
        try:
            mode = os.lstat(directory).st_mode
        except FileNotFoundError:
            directory.mkdir(parents=True, exist_ok=True)
            _sync_directory(directory.parent)  # the owner's directory survives a crash too
            mode = os.lstat(directory).st_mode
        if stat.S_ISLNK(mode) or not stat.S_ISDIR(os.lstat(self._root).st_mode):
            raise ValueError(f"{path} would leave the asset store through a link")
        if not stat.S_ISDIR(mode):
            raise NotADirectoryError(f"{directory} is not a directory")
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISLNK(os.lstat(path).st_mode):
                raise ValueError(f"{path} would leave the asset store through a link")
        _write_atomically(path, data)

    def _read(self, path: Path) -> bytes | None:
        try:
            return self._inside(path).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def _unlink(self, path: Path) -> bool:
        try:
            self._inside(path).unlink()
        except (FileNotFoundError, NotADirectoryError):
            return False
        # An owner's directory goes with their last file: its name is their user id, which an
        # erased account must not leave behind. Not empty (or gone already): it stays.
        with contextlib.suppress(OSError):
            os.rmdir(path.parent)
        return True

    @staticmethod
    def _inside(path: Path) -> Path:
        # The root is resolved already, so any difference is a link: out of the store, or into
        # another owner's directory.
        if path.resolve() != path:
            raise ValueError(f"{path} would leave the asset store through a link")
        return path


_TEMPORARY = itertools.count()
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def _write_atomically(path: Path, data: bytes) -> None:
    descriptor, temporary = _temporary_beside(path)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_directory(path.parent)


def _temporary_beside(path: Path) -> tuple[int, str]:
    """A new file beside `path`, named with a leading dot (no asset's name has one), private to
    this process (its pid and a counter; O_EXCL makes sure), opened for writing."""
    while True:
        temporary = f"{path.parent}/.{path.name}.{os.getpid()}.{next(_TEMPORARY)}.tmp"
        try:
            return os.open(temporary, _NEW_FILE, 0o600), temporary
        except FileExistsError:  # left by a process that had this pid before: take the next
            continue


def _sync_directory(directory: Path) -> None:
    # Some file systems cannot open or sync a directory; the rename stands regardless.
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


async def _scanned(
    directory: Path, read: Callable[[os.DirEntry[str]], T | None]
) -> AsyncIterator[T]:
    """What `read` makes of each entry of `directory` (None: skipped), a chunk at a time."""
    try:
        entries = await asyncio.to_thread(os.scandir, directory)
    except (FileNotFoundError, NotADirectoryError):
        return  # nothing stored yet, or removed since its parent was read
    with entries:
        while True:
            chunk: tuple[list[T], bool] = await asyncio.to_thread(_next_chunk, entries, read)
            found, more = chunk
            for item in found:
                yield item
            if not more:
                return


def _next_chunk(
    entries: Iterator[os.DirEntry[str]], read: Callable[[os.DirEntry[str]], T | None]
) -> tuple[list[T], bool]:
    """What `read` makes of the next entries, and whether there may be more."""
    found: list[T] = []
    count = 0
    for entry in itertools.islice(entries, _SCAN_CHUNK):
        count += 1
        if (item := read(entry)) is not None:
            found.append(item)
    return found, count == _SCAN_CHUNK


def _owner_directory(entry: os.DirEntry[str]) -> str | None:
    # A link is not followed: it could list another owner's files under this owner's name.
    if not entry.is_dir(follow_symlinks=False):
        return None
    try:
        return checked_name("owner", entry.name)
    except ValueError:
        return None


def _stored_file(owner: str, entry: os.DirEntry[str]) -> StoredBytes | None:
    key = AssetKey.parsed(f"{owner}/{entry.name}")
    if key is None or not entry.is_file(follow_symlinks=False):
        return None
    try:
        status = entry.stat(follow_symlinks=False)
    except FileNotFoundError:
        return None  # removed since the directory was read
    return StoredBytes(
        owner=key.owner,
        asset_id=key.asset_id,
        media_type=key.media_type,
        size_bytes=status.st_size,
        modified_at=datetime.fromtimestamp(status.st_mtime, UTC),
        thumbnail=key.thumbnail,
    )
