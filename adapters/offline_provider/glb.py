"""A minimal binary glTF 2.0 (GLB) writer: a JSON chunk and a BIN chunk, 4-byte aligned."""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping

MAGIC = b"glTF"
VERSION = 2
JSON_CHUNK = 0x4E4F534A
BIN_CHUNK = 0x004E4942
_HEADER = struct.Struct("<4sII")
_CHUNK_HEADER = struct.Struct("<II")


def glb(document: Mapping[str, object], binary: bytes) -> bytes:
    """The GLB file of `document` with `binary` as its buffer 0 (omitted when empty)."""
    text = _padded(json.dumps(document, separators=(",", ":")).encode(), b" ")
    chunks = _chunk(JSON_CHUNK, text)
    if binary:
        chunks += _chunk(BIN_CHUNK, _padded(binary, b"\x00"))
    return _HEADER.pack(MAGIC, VERSION, _HEADER.size + len(chunks)) + chunks


class BufferBuilder:
    """Collects byte ranges into one buffer, each 4-byte aligned, as glTF buffer views."""

    def __init__(self) -> None:
        self._data = bytearray()
        self.views: list[dict[str, int]] = []

    def add(self, data: bytes, target: int | None = None) -> int:
        """Append `data` as a new buffer view; its index."""
        self._data += b"\x00" * (-len(self._data) % 4)
        view = {"buffer": 0, "byteOffset": len(self._data), "byteLength": len(data)}
        if target is not None:
            view["target"] = target
        self._data += data
        self.views.append(view)
        return len(self.views) - 1

    def buffer(self) -> bytes:
        return bytes(self._data) + b"\x00" * (-len(self._data) % 4)


def _padded(data: bytes, filler: bytes) -> bytes:
    return data + filler * (-len(data) % 4)


def _chunk(kind: int, data: bytes) -> bytes:
    return _CHUNK_HEADER.pack(len(data), kind) + data
