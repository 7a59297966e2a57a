"""Image to 3D offline: a valid binary glTF 2.0 file, parsed back here."""

from __future__ import annotations

import io
import json
import struct
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

from imagestudio.adapters.offline_provider import OfflineProvider
from imagestudio.adapters.offline_provider.glb import glb
from imagestudio.application.ports.provider import InputImage, ProviderJob, ProviderSuccess
from imagestudio.domain.media import MediaType
from imagestudio.domain.model import Model
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.pricing import FlatPerOutput

JSON_CHUNK, BIN_CHUNK = 0x4E4F534A, 0x004E4942
COMPONENTS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4}
COMPONENT_BYTES = {5121: 1, 5123: 2, 5125: 4, 5126: 4}
COMPONENT_FORMATS = {5121: "B", 5123: "H", 5125: "I", 5126: "f"}


class SilentReport:
    async def sending(self, task_id: str | None = None) -> None:
        pass

    async def accepted(self, task_id: str) -> None:
        pass

    def progressed(self, detail: str) -> None:
        del detail


@dataclass
class Glb:
    total_length: int
    document: dict[str, Any]
    binary: bytes

    def values(self, accessor_index: int) -> list[float]:
        accessor = self.document["accessors"][accessor_index]
        view = self.document["bufferViews"][accessor["bufferView"]]
        count = accessor["count"] * COMPONENTS[accessor["type"]]
        start = view["byteOffset"] + accessor.get("byteOffset", 0)
        fmt = f"<{count}{COMPONENT_FORMATS[accessor['componentType']]}"
        return list(struct.unpack_from(fmt, self.binary, start))


def parsed(data: bytes) -> Glb:
    magic, version, total_length = struct.unpack_from("<4sII", data, 0)
    assert (magic, version, total_length) == (b"glTF", 2, len(data))
    json_length, json_type = struct.unpack_from("<II", data, 12)
    assert json_type == JSON_CHUNK
    assert json_length % 4 == 0
    document = json.loads(data[20 : 20 + json_length])
    binary = b""
    if 20 + json_length < len(data):
        bin_length, bin_type = struct.unpack_from("<II", data, 20 + json_length)
        assert bin_type == BIN_CHUNK
        assert bin_length % 4 == 0
        binary = data[28 + json_length : 28 + json_length + bin_length]
        assert len(binary) == bin_length
        assert 28 + json_length + bin_length == len(data)
    return Glb(total_length, document, binary)


def picture() -> Image.Image:
    image = Image.new("RGB", (120, 80), (200, 40, 40))
    ImageDraw.Draw(image).rectangle((0, 0, 59, 79), fill=(40, 40, 200))
    return image


def job_for(image: Image.Image) -> ProviderJob:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    model = Model(
        id="offline-3d",
        provider="offline",
        provider_path="offline/3d",
        kinds=frozenset({OperationKind.IMAGE_TO_3D}),
        pricing=FlatPerOutput(0),
        output=MediaType.GLB,
    )
    given = InputImage(
        data=buffer.getvalue(), media_type=MediaType.PNG, width=image.width, height=image.height
    )
    return ProviderJob(
        model=model,
        kind=OperationKind.IMAGE_TO_3D,
        prompt="",
        inputs=(given,),
        width=image.width,
        height=image.height,
        outputs=1,
        seed=None,
    )


async def card() -> tuple[ProviderSuccess, Glb]:
    outcome = await OfflineProvider().run(job_for(picture()), SilentReport())
    assert isinstance(outcome, ProviderSuccess), outcome
    return outcome, parsed(outcome.artifacts[0].data)


async def test_image_to_3d_gives_a_glb_artifact() -> None:
    outcome, _ = await card()

    assert outcome.artifacts[0].media_type is MediaType.GLB
    assert outcome.artifacts[0].data[:4] == b"glTF"


async def test_the_glb_has_a_glb_header_a_json_chunk_and_a_bin_chunk() -> None:
    _, model = await card()

    assert model.document["asset"]["version"] == "2.0"
    assert model.binary


async def test_the_buffer_is_exactly_the_bin_chunk() -> None:
    _, model = await card()

    assert model.document["buffers"] == [{"byteLength": len(model.binary)}]


async def test_every_buffer_view_lies_within_the_bin_chunk() -> None:
    _, model = await card()

    for view in model.document["bufferViews"]:
        assert view["buffer"] == 0
        assert view["byteOffset"] % 4 == 0
        assert view["byteOffset"] + view["byteLength"] <= len(model.binary)


async def test_every_accessor_fits_its_buffer_view() -> None:
    _, model = await card()

    for accessor in model.document["accessors"]:
        view = model.document["bufferViews"][accessor["bufferView"]]
        size = (
            accessor["count"]
            * COMPONENTS[accessor["type"]]
            * COMPONENT_BYTES[accessor["componentType"]]
        )
        assert accessor.get("byteOffset", 0) + size <= view["byteLength"]


async def test_positions_declare_their_true_bounds() -> None:
    _, model = await card()

    for primitive in model.document["meshes"][0]["primitives"]:
        index = primitive["attributes"]["POSITION"]
        accessor = model.document["accessors"][index]
        values = model.values(index)
        for axis in range(3):
            column = values[axis::3]
            assert accessor["min"][axis] == min(column)
            assert accessor["max"][axis] == max(column)


async def test_indices_name_existing_vertices_in_whole_triangles() -> None:
    _, model = await card()

    for primitive in model.document["meshes"][0]["primitives"]:
        vertices = model.document["accessors"][primitive["attributes"]["POSITION"]]["count"]
        indices = model.values(primitive["indices"])
        assert len(indices) % 3 == 0
        assert all(0 <= index < vertices for index in indices)


async def test_the_card_has_the_pictures_aspect_ratio() -> None:
    _, model = await card()

    front = model.document["meshes"][0]["primitives"][0]
    accessor = model.document["accessors"][front["attributes"]["POSITION"]]
    width = accessor["max"][0] - accessor["min"][0]
    height = accessor["max"][1] - accessor["min"][1]
    assert abs(width / height - 120 / 80) < 1e-6


async def test_the_front_is_textured_with_the_picture() -> None:
    _, model = await card()

    texture_index = model.document["materials"][0]["pbrMetallicRoughness"]["baseColorTexture"]
    source = model.document["textures"][texture_index["index"]]["source"]
    image_entry = model.document["images"][source]
    view = model.document["bufferViews"][image_entry["bufferView"]]
    png = model.binary[view["byteOffset"] : view["byteOffset"] + view["byteLength"]]
    texture = Image.open(io.BytesIO(png))
    assert image_entry["mimeType"] == "image/png"
    assert texture.size == (120, 80)
    assert texture.convert("RGB").getpixel((10, 10)) == (40, 40, 200)


async def test_the_rest_of_the_card_has_the_pictures_mean_colour() -> None:
    _, model = await card()

    colour = model.document["materials"][1]["pbrMetallicRoughness"]["baseColorFactor"]
    mean_red, mean_blue = (200 + 40) / 2 / 255, (40 + 200) / 2 / 255
    linear = ((mean_red + 0.055) / 1.055) ** 2.4
    assert abs(colour[0] - linear) < 1e-3
    assert abs(colour[2] - ((mean_blue + 0.055) / 1.055) ** 2.4) < 1e-3
    assert colour[3] == 1.0


async def test_the_same_picture_gives_the_same_glb() -> None:
    first, _ = await card()
    second, _ = await card()

    assert first.artifacts == second.artifacts


def test_the_writer_pads_the_json_chunk_with_spaces() -> None:
    data = glb({"asset": {"version": "2.0"}}, b"")

    json_length = struct.unpack_from("<I", data, 12)[0]
    chunk = data[20 : 20 + json_length]
    assert json_length % 4 == 0
    assert json.loads(chunk) == {"asset": {"version": "2.0"}}
    assert chunk.rstrip(b" ").endswith(b"}")
    assert parsed(data).binary == b""


def test_the_writer_pads_the_bin_chunk_with_zeros() -> None:
    data = glb({"asset": {"version": "2.0"}}, b"\x01\x02\x03")

    model = parsed(data)
    assert model.binary == b"\x01\x02\x03\x00"
    assert model.total_length == len(data)
