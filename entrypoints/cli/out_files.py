"""Where `--out` puts a command's outputs, and under which names.

`--out` names a folder when it ends with a slash or is an existing folder: each output goes in it
as `<asset id>.<ext>`. Otherwise it names a file (`kite-1.png`, `kite-2.png`, … for several
outputs). Either way the extension is the one the bytes call for, whatever the name asked for:
a JPEG asked to be `kite.png` is written as `kite.jpg`, and the command says so."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from imagestudio.domain.media import MediaType, sniff


@dataclass(frozen=True, slots=True)
class Output:
    asset_id: str
    data: bytes
    declared: MediaType
    """The asset's recorded type: what the bytes are taken to be when no signature says."""

    @property
    def media_type(self) -> MediaType:
        return sniff(self.data) or self.declared


@dataclass(frozen=True, slots=True)
class Written:
    asset_id: str
    path: Path
    asked: Path | None
    """The name `--out` asked for, when the content called for another extension."""

    def said(self, size: int) -> str:
        if self.asked is None:
            return f"wrote {self.path} ({size} bytes)"
        return (
            f"wrote {self.path} ({size} bytes; asked for {self.asked.name}, but the content is "
            f"{self.path.suffix[1:].upper()})"
        )


def is_folder(out: str) -> bool:
    return out.endswith(("/", os.sep)) or Path(out).is_dir()


def targets(out: str | None, outputs: Sequence[Output]) -> list[Written]:
    """The file each output goes to; `out` None means the current folder."""
    if out is None or is_folder(out):
        folder = Path(out or ".")
        return [
            Written(item.asset_id, folder / f"{item.asset_id}.{item.media_type.extension}", None)
            for item in outputs
        ]
    asked = Path(out)
    written = []
    for index, item in enumerate(outputs, start=1):
        wanted = asked if len(outputs) == 1 else _numbered(asked, index)
        path = _with_extension(wanted, item.media_type)
        written.append(Written(item.asset_id, path, None if path == wanted else wanted))
    return written


def unwritable(out: str) -> str | None:
    """Why nothing could be written where `out` says, known before anything is spent (a file
    where a folder should be, a folder we may not write in); None when it looks writable."""
    path = Path(out).expanduser()
    nearest = path if is_folder(out) else path.parent
    while not nearest.exists() and nearest.parent != nearest:
        nearest = nearest.parent
    if not nearest.is_dir():
        return f"{nearest} is not a folder"
    if not os.access(nearest, os.W_OK | os.X_OK):
        return f"cannot write in {nearest}"
    return None


def write(outputs: Sequence[Output], places: Sequence[Written]) -> None:
    for item, place in zip(outputs, places, strict=True):
        place.path.parent.mkdir(parents=True, exist_ok=True)
        place.path.write_bytes(item.data)


def _numbered(path: Path, index: int) -> Path:
    known = _media_of_suffix(path) is not None
    stem, suffix = (path.stem, path.suffix) if known else (path.name, "")
    return path.with_name(f"{stem}-{index}{suffix}")


def _with_extension(path: Path, media_type: MediaType) -> Path:
    """`path` if its suffix already names `media_type` (`.jpeg` for a JPEG too); else the right
    suffix in place of another media type's, or after a suffix that names none (`v1.2`)."""
    found = _media_of_suffix(path)
    if found is media_type:
        return path
    if found is not None:
        return path.with_suffix(f".{media_type.extension}")
    return path.with_name(f"{path.name}.{media_type.extension}")


def _media_of_suffix(path: Path) -> MediaType | None:
    if not path.suffix:
        return None
    try:
        return MediaType.from_extension(path.suffix)
    except ValueError:
        return None
