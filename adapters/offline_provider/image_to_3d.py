"""Image to 3D: a card with the picture on its face and the picture's mean colour elsewhere."""

from __future__ import annotations

import io
import math
import struct
from collections.abc import Sequence

from PIL import Image, ImageStat

from imagestudio.adapters.offline_provider.glb import BufferBuilder, glb
from imagestudio.adapters.offline_provider.reading import decoded, main_image
from imagestudio.application.ports.provider import Artifact, ProviderJob
from imagestudio.domain.media import MediaType

Vector = tuple[float, float, float]
Face = tuple[Vector, Vector, Vector]

_DEPTH = 0.08
"""The card's thickness, where its longer side is 1."""
_TEXTURE_SIDE = 512
_FLOAT, _UNSIGNED_SHORT = 5126, 5123
_ARRAY_BUFFER, _ELEMENT_ARRAY_BUFFER = 34962, 34963
_LINEAR, _LINEAR_MIPMAP_LINEAR, _CLAMP_TO_EDGE = 9729, 9987, 33071
_COMPONENTS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3}

_FRONT: Face = ((0.0, 0.0, 1.0), (1.0, 0.0, 0.0), (0.0, 1.0, 0.0))
_OTHER_FACES: tuple[Face, ...] = (
    ((0.0, 0.0, -1.0), (-1.0, 0.0, 0.0), (0.0, 1.0, 0.0)),
    ((1.0, 0.0, 0.0), (0.0, 0.0, -1.0), (0.0, 1.0, 0.0)),
    ((-1.0, 0.0, 0.0), (0.0, 0.0, 1.0), (0.0, 1.0, 0.0)),
    ((0.0, 1.0, 0.0), (1.0, 0.0, 0.0), (0.0, 0.0, -1.0)),
    ((0.0, -1.0, 0.0), (1.0, 0.0, 0.0), (0.0, 0.0, 1.0)),
)
"""Each face as (normal, u, v) with u × v = normal, so its corners wind counter-clockwise."""
_CORNERS = ((-1, -1), (1, -1), (1, 1), (-1, 1))
_UVS = ((0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0))


def image_to_3d(job: ProviderJob) -> tuple[Artifact, ...]:
    artifact = Artifact(data=card_glb(decoded(main_image(job))), media_type=MediaType.GLB)
    return (artifact,) * job.outputs


def card_glb(image: Image.Image) -> bytes:
    """A GLB of one mesh: the picture as the front's texture, its mean colour on the rest."""
    longer = max(image.size)
    half = (image.width / longer / 2, image.height / longer / 2, _DEPTH / 2)
    card = _MeshWriter()
    front = card.primitive([_FRONT], half, material=0, textured=True)
    rest = card.primitive(_OTHER_FACES, half, material=1, textured=False)
    texture = card.buffers.add(_texture_png(image))
    binary = card.buffers.buffer()
    document = {
        "asset": {"version": "2.0", "generator": "imagestudio offline provider"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": "card"}],
        "meshes": [{"name": "card", "primitives": [front, rest]}],
        "materials": [
            _material("picture", {"baseColorTexture": {"index": 0}}),
            _material("edge", {"baseColorFactor": _mean_linear(image)}),
        ],
        "textures": [{"sampler": 0, "source": 0}],
        "images": [{"bufferView": texture, "mimeType": "image/png"}],
        "samplers": [
            {
                "magFilter": _LINEAR,
                "minFilter": _LINEAR_MIPMAP_LINEAR,
                "wrapS": _CLAMP_TO_EDGE,
                "wrapT": _CLAMP_TO_EDGE,
            }
        ],
        "accessors": card.accessors,
        "bufferViews": card.buffers.views,
        "buffers": [{"byteLength": len(binary)}],
    }
    return glb(document, binary)


class _MeshWriter:
    def __init__(self) -> None:
        self.buffers = BufferBuilder()
        self.accessors: list[dict[str, object]] = []

    def primitive(
        self, faces: Sequence[Face], half: Vector, *, material: int, textured: bool
    ) -> dict[str, object]:
        positions: list[float] = []
        normals: list[float] = []
        uvs: list[float] = []
        indices: list[int] = []
        for normal, u, v in faces:
            first = len(positions) // 3
            for (su, sv), uv in zip(_CORNERS, _UVS, strict=True):
                positions += [
                    (normal[axis] + su * u[axis] + sv * v[axis]) * half[axis] for axis in range(3)
                ]
                normals += normal
                uvs += uv
            indices += [first, first + 1, first + 2, first, first + 2, first + 3]
        attributes = {
            "POSITION": self._floats(positions, "VEC3", bounded=True),
            "NORMAL": self._floats(normals, "VEC3"),
        }
        if textured:
            attributes["TEXCOORD_0"] = self._floats(uvs, "VEC2")
        return {"attributes": attributes, "indices": self._indices(indices), "material": material}

    def _floats(self, values: Sequence[float], kind: str, *, bounded: bool = False) -> int:
        packed = struct.pack(f"<{len(values)}f", *values)
        view = self.buffers.add(packed, _ARRAY_BUFFER)
        width = _COMPONENTS[kind]
        accessor: dict[str, object] = {
            "bufferView": view,
            "componentType": _FLOAT,
            "count": len(values) // width,
            "type": kind,
        }
        if bounded:
            stored = struct.unpack(f"<{len(values)}f", packed)
            columns = [stored[axis::width] for axis in range(width)]
            accessor["min"] = [min(column) for column in columns]
            accessor["max"] = [max(column) for column in columns]
        self.accessors.append(accessor)
        return len(self.accessors) - 1

    def _indices(self, values: Sequence[int]) -> int:
        view = self.buffers.add(struct.pack(f"<{len(values)}H", *values), _ELEMENT_ARRAY_BUFFER)
        self.accessors.append(
            {
                "bufferView": view,
                "componentType": _UNSIGNED_SHORT,
                "count": len(values),
                "type": "SCALAR",
            }
        )
        return len(self.accessors) - 1


def _material(name: str, surface: dict[str, object]) -> dict[str, object]:
    return {
        "name": name,
        "pbrMetallicRoughness": {**surface, "metallicFactor": 0.0, "roughnessFactor": 0.9},
    }


def _texture_png(image: Image.Image) -> bytes:
    texture = image.convert("RGB")
    texture.thumbnail((_TEXTURE_SIDE, _TEXTURE_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    texture.save(buffer, format="PNG")
    return buffer.getvalue()


def _mean_linear(image: Image.Image) -> list[float]:
    """The image's mean colour in linear RGB (glTF's colour factors are linear), opaque."""
    return [*(_linear(channel / 255) for channel in ImageStat.Stat(image.convert("RGB")).mean), 1.0]


def _linear(value: float) -> float:
    if value <= 0.04045:
        return round(value / 12.92, 6)
    return round(math.pow((value + 0.055) / 1.055, 2.4), 6)
