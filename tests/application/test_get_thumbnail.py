"""Thumbnails: made once off the event loop, kept beside the asset, never an asset themselves."""

from __future__ import annotations

import io
from datetime import timedelta

from fakes import NOW
from PIL import Image
from returns.result import Failure

from imagestudio.adapters.images.image_workers import ThreadImageWorkers
from imagestudio.adapters.images.pillow_processor import PillowImageProcessor
from imagestudio.adapters.memory.asset_bytes import InMemoryAssetBytes
from imagestudio.adapters.memory.asset_library import InMemoryAssetLibrary
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.application.asset_vault import AssetVault
from imagestudio.application.ports.image_workers import ImageWork
from imagestudio.application.use_cases.collect_garbage import CollectGarbage, MissingBytes
from imagestudio.application.use_cases.get_thumbnail import GetThumbnail
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import AssetNotFound, InvalidInput, NoThumbnail
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.thumbnail import THUMBNAIL_MEDIA, THUMBNAIL_SIZES


class CountingWorkers(ThreadImageWorkers):
    def __init__(self) -> None:
        super().__init__()
        self.runs = 0

    async def run(self, work: ImageWork, data: bytes):  # type: ignore[no-untyped-def]
        self.runs += 1
        return await super().run(work, data)


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (200, 40, 40, 128)).save(buffer, "PNG")
    return buffer.getvalue()


def row(asset_id: str, media_type: MediaType = MediaType.PNG, owner: str = "ada") -> Asset:
    return Asset(
        id=asset_id,
        owner=owner,
        operation_id="op_x",
        model_id="acme-flat",
        kind=OperationKind.TEXT_TO_IMAGE,
        media_type=media_type,
        size_bytes=100,
        created_at=NOW,
    )


def world() -> tuple[AssetVault, CountingWorkers, GetThumbnail, FixedClock]:
    clock = FixedClock(NOW)
    vault = AssetVault(InMemoryAssetLibrary(), InMemoryAssetBytes(clock=clock.now))
    workers = CountingWorkers()
    return vault, workers, GetThumbnail(vault, PillowImageProcessor(), workers), clock


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "WEBP"
        return image.size


async def test_a_thumbnail_fits_the_square_keeps_the_proportions_and_is_made_once() -> None:
    vault, workers, thumbnails, _ = world()
    await vault.save(row("ast_wide"), png(800, 400))

    first = (await thumbnails.execute("ada", "ast_wide", 256)).unwrap()
    again = (await thumbnails.execute("ada", "ast_wide", 256)).unwrap()

    assert size_of(first.data) == (256, 128) and first.media_type is MediaType.WEBP
    assert again.data == first.data and workers.runs == 1
    kept = await vault.content.get_thumbnail("ada", "ast_wide", 256, THUMBNAIL_MEDIA)
    assert kept == first.data


async def test_a_small_image_is_never_enlarged() -> None:
    vault, _, thumbnails, _ = world()
    await vault.save(row("ast_small"), png(60, 90))

    made = (await thumbnails.execute("ada", "ast_small", 512)).unwrap()

    assert size_of(made.data) == (60, 90)


async def test_another_users_asset_is_not_found_and_nothing_is_made() -> None:
    vault, workers, thumbnails, _ = world()
    await vault.save(row("ast_1"), png(64, 64))

    assert await thumbnails.execute("bob", "ast_1", 128) == Failure(AssetNotFound("ast_1"))
    assert await thumbnails.execute("ada", "ast_none", 128) == Failure(AssetNotFound("ast_none"))
    assert workers.runs == 0
    assert [item async for item in vault.content.inventory() if item.thumbnail] == []


async def test_a_3d_model_or_a_video_has_no_thumbnail() -> None:
    vault, workers, thumbnails, _ = world()
    await vault.save(row("ast_glb", MediaType.GLB), b"glTF....")
    await vault.save(row("ast_mp4", MediaType.MP4), b"....ftypisom")

    glb = await thumbnails.execute("ada", "ast_glb", 256)
    mp4 = await thumbnails.execute("ada", "ast_mp4", 256)

    assert glb == Failure(NoThumbnail("ast_glb", "model/gltf-binary"))
    assert mp4 == Failure(NoThumbnail("ast_mp4", "video/mp4"))
    assert workers.runs == 0


async def test_a_size_not_offered_is_refused_before_anything_is_read() -> None:
    _, workers, thumbnails, _ = world()

    refused = await thumbnails.execute("ada", "ast_1", 300)

    assert isinstance(refused, Failure) and isinstance(refused.failure(), InvalidInput)
    assert refused.failure().field == "size" and workers.runs == 0


async def test_thumbnails_count_against_no_storage_quota() -> None:
    vault, _, thumbnails, _ = world()
    await vault.save(row("ast_1"), png(300, 300))
    before = await vault.library.bytes_used("ada")

    for size in THUMBNAIL_SIZES:
        (await thumbnails.execute("ada", "ast_1", size)).unwrap()

    assert await vault.library.bytes_used("ada") == before


async def test_deleting_the_asset_removes_every_thumbnail() -> None:
    vault, _, thumbnails, _ = world()
    await vault.save(row("ast_1"), png(600, 600))
    for size in THUMBNAIL_SIZES:
        (await thumbnails.execute("ada", "ast_1", size)).unwrap()

    await vault.delete("ada", "ast_1")

    assert [item async for item in vault.content.inventory()] == []


async def test_gc_keeps_a_live_assets_thumbnails_and_removes_a_gone_ones() -> None:
    vault, _, thumbnails, clock = world()
    gc = CollectGarbage(vault, clock)
    await vault.save(row("ast_live"), png(300, 200))
    await vault.save(row("ast_gone"), png(300, 200))
    (await thumbnails.execute("ada", "ast_live", 128)).unwrap()
    (await thumbnails.execute("ada", "ast_gone", 128)).unwrap()
    # A crash after the row went, before the bytes and thumbnails did.
    await vault.library.remove("ada", "ast_gone")
    clock.advance(timedelta(hours=2))

    report = await gc.execute(margin=timedelta(hours=1))

    assert {(o.asset_id, o.thumbnail) for o in report.orphans} == {
        ("ast_gone", None),
        ("ast_gone", 128),
    }
    left = {(item.asset_id, item.thumbnail) async for item in vault.content.inventory()}
    assert left == {("ast_live", None), ("ast_live", 128)}


async def test_gc_still_reports_an_assets_missing_bytes_when_only_its_thumbnail_is_left() -> None:
    vault, _, thumbnails, clock = world()
    await vault.save(row("ast_1"), png(300, 200))
    (await thumbnails.execute("ada", "ast_1", 128)).unwrap()
    await vault.content.remove("ada", "ast_1", MediaType.PNG)
    clock.advance(timedelta(seconds=1))

    report = await CollectGarbage(vault, clock).execute()

    assert report.missing == (MissingBytes(owner="ada", asset_id="ast_1"),)
    assert report.orphans == ()


async def test_a_thumbnail_made_while_its_asset_was_deleted_is_not_left_behind() -> None:
    vault, _, _, _ = world()
    await vault.save(row("ast_1"), png(300, 200))

    class DeletingWorkers(ThreadImageWorkers):
        async def run(self, work: ImageWork, data: bytes):  # type: ignore[no-untyped-def]
            made = await super().run(work, data)
            await vault.delete("ada", "ast_1")
            return made

    racing = GetThumbnail(vault, PillowImageProcessor(), DeletingWorkers())

    assert await racing.execute("ada", "ast_1", 128) == Failure(AssetNotFound("ast_1"))
    assert [item async for item in vault.content.inventory()] == []
