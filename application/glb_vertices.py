"""How many vertices a binary glTF (GLB) model has, read from its JSON chunk alone."""

from __future__ import annotations

import json
import struct
from typing import Any

_HEADER = struct.Struct("<4sII")
_CHUNK_HEADER = struct.Struct("<II")
_JSON_CHUNK = 0x4E4F534A
MAX_JSON_BYTES = 64 * 1024 * 1024


def glb_vertex_count(data: bytes) -> int | None:
    """The vertices of every mesh primitive (each primitive's POSITION accessor count, summed
    over the times each mesh is used by a node), or None when `data` is not a readable GLB.

    A mesh no node uses still counts once: it is part of the file the user keeps.
    """
    try:
        document = _json_chunk(data)
        accessors: list[Any] = document.get("accessors", [])
        meshes: list[Any] = document.get("meshes", [])
        uses = [0] * len(meshes)
        for node in document.get("nodes", []):
            if isinstance(node, dict) and isinstance(node.get("mesh"), int):
                uses[node["mesh"]] += 1
        total = 0
        for index, mesh in enumerate(meshes):
            per_mesh = sum(
                int(accessors[primitive["attributes"]["POSITION"]]["count"])
                for primitive in mesh.get("primitives", [])
                if "POSITION" in primitive.get("attributes", {})
            )
            total += per_mesh * max(uses[index], 1)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, struct.error):
        return None
    return total


def _json_chunk(data: bytes) -> dict[str, Any]:
    magic, _version, _length = _HEADER.unpack_from(data, 0)
    if magic != b"glTF":
        raise ValueError("not a GLB")
    size, kind = _CHUNK_HEADER.unpack_from(data, _HEADER.size)
    if kind != _JSON_CHUNK or size > MAX_JSON_BYTES:
        raise ValueError("no JSON chunk")
    start = _HEADER.size + _CHUNK_HEADER.size
    document = json.loads(data[start : start + size])
    if not isinstance(document, dict):
        raise ValueError("not a glTF document")
    return document
