"""The asset library and local operations through the Python API, on the real container."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from imagestudio.application.ports.image_processor import CompressSpec, ConvertSpec
from imagestudio.application.requests import ImageInput
from imagestudio.application.use_cases.generate import GenerateRequest
from imagestudio.application.use_cases.to_3d import ImageTo3DRequest
from imagestudio.domain.asset import Asset
from imagestudio.domain.asset_query import AssetQuery, Relabel
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.plan import Plan
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.settings import Profile
from imagestudio.entrypoints.sync_api import SyncImageStudio


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


async def test_a_3d_output_records_its_vertex_count_and_its_input_asset() -> None:
    studio = await ImageStudio.connect(profile=Profile.TEST)
    picture = (
        (await studio.generate.execute(GenerateRequest(user_id="local", prompt="a vase")))
        .unwrap()
        .assets[0]
    )

    done = await studio.to_3d.execute(
        ImageTo3DRequest(user_id="local", image=ImageInput(asset_id=picture.id))
    )

    model = done.unwrap().assets[0]
    assert model.media_type is MediaType.GLB
    assert model.vertex_count is not None and model.vertex_count > 0
    assert model.derived_from == (picture.id,)
    await studio.aclose()


async def test_local_operations_through_the_async_api_are_free_and_searchable() -> None:
    studio = await ImageStudio.connect(profile=Profile.TEST)
    upload = ImageInput(data=png(300, 200))

    converted = (
        await studio.convert.execute("local", upload, ConvertSpec(media_type=MediaType.WEBP))
    ).unwrap()
    compressed = (
        await studio.compress.execute(
            "local",
            ImageInput(asset_id=converted.assets[0].id),
            CompressSpec(quality=40, media_type=MediaType.JPEG),
        )
    ).unwrap()

    assert converted.charged == compressed.charged == 0
    assert compressed.assets[0].derived_from == (converted.assets[0].id,)
    listed = await studio.list_assets.execute(
        "local", query=AssetQuery(kind=OperationKind.COMPRESS)
    )
    assert [a.id for a in listed.unwrap().items] == [compressed.assets[0].id]
    line = await studio.container.ledger().for_operation(compressed.operation.id)
    assert line is not None and (line.user_charge, line.provider_cost) == (0, 0)
    assert line.provider == "local" and line.kind is OperationKind.COMPRESS
    await studio.aclose()


def test_the_sync_facade_fits_an_image_to_a_social_format() -> None:
    with SyncImageStudio(profile=Profile.TEST) as studio:
        formats = studio.social_formats.execute("youtube")
        done = studio.social.execute("local", ImageInput(data=png(640, 640)), "youtube/thumbnail")

    assert {f.key for f in formats} >= {"youtube/thumbnail"}
    asset = done.unwrap().assets[0]
    assert (asset.width, asset.height) == (1280, 720)


async def test_keep_sweeping_also_deletes_assets_past_their_plans_retention(
    tmp_path: Path,
) -> None:
    studio = await ImageStudio.connect(
        profile=Profile.TEST, data_dir=tmp_path, storage_sweep_seconds=0.01
    )
    await studio.define_plan.execute(Plan(name="week", retention_days=7))
    await studio.assign_plan("local", "week")
    vault = studio.container.assets()
    now = studio.container.clock().now()
    old = Asset(
        id="ast_old",
        owner="local",
        operation_id="op_old",
        model_id="offline/text-to-image",
        kind=OperationKind.TEXT_TO_IMAGE,
        media_type=MediaType.PNG,
        size_bytes=3,
        created_at=now - timedelta(days=8),
    )
    await vault.save(old, b"old")
    await vault.save(replace(old, id="ast_new", created_at=now), b"new")

    chores = asyncio.create_task(studio.keep_sweeping(every=0.01))
    try:
        for _ in range(500):
            if await vault.describe("local", "ast_old") is None:
                break
            await asyncio.sleep(0.01)
    finally:
        chores.cancel()
        await asyncio.gather(chores, return_exceptions=True)

    assert await vault.describe("local", "ast_old") is None
    assert await vault.describe("local", "ast_new") is not None
    await studio.aclose()


async def test_labels_given_as_a_list_or_a_tuple_are_taken_and_one_string_is_refused() -> None:
    studio = await ImageStudio.connect(profile=Profile.TEST)
    done = await studio.generate.execute(GenerateRequest(user_id="local", prompt="a kite"))
    asset = done.unwrap().assets[0]

    change = Relabel(add_tags=["sky", "red"], add_collections=("summer",))  # type: ignore[arg-type]
    labelled = (await studio.label_asset.execute("local", asset.id, change)).unwrap()

    assert (labelled.tags, labelled.collections) == ({"sky", "red"}, {"summer"})
    # One string is not a set of its letters.
    with pytest.raises(TypeError, match="add_tags: give a set of labels, not one string"):
        Relabel(add_tags="sky")  # type: ignore[arg-type]
