"""Storage quota, retention and garbage collection, through their use cases."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from fakes import NOW, text_to_image
from returns.result import Failure, Success

from imagestudio.adapters.memory.asset_bytes import InMemoryAssetBytes
from imagestudio.adapters.memory.asset_library import InMemoryAssetLibrary
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.application.asset_vault import AssetVault
from imagestudio.application.use_cases.collect_garbage import CollectGarbage, MissingBytes
from imagestudio.application.use_cases.sweep_storage import SweepStorage
from imagestudio.application.use_cases.usage import STORAGE, ReadUsage
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import StorageQuotaExceeded
from imagestudio.domain.limit import Limit
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.plan import Plan

if TYPE_CHECKING:
    from conftest import Studio


async def on_plan(studio: Studio, user: str, **limits: object) -> None:
    await studio.quota.define_plan(Plan(name=f"plan-of-{user}", **limits))  # type: ignore[arg-type]
    await studio.quota.assign(user, f"plan-of-{user}")


async def test_an_operation_is_refused_once_stored_assets_fill_the_plan(studio: Studio) -> None:
    await on_plan(studio, "ada", storage_bytes=Limit.of(1))
    first = await studio.run.execute(text_to_image(width=256, height=128))
    stored = first.unwrap().assets[0].size_bytes
    lines_before = await studio.lines("ada")

    second = await studio.run.execute(text_to_image(width=256, height=128))

    assert second == Failure(StorageQuotaExceeded(user_id="ada", used=stored, limit=1))
    assert "storage limit is reached" in second.failure().message
    assert await studio.lines("ada") == lines_before  # no ledger line, nothing charged
    await studio.assert_nothing_held("ada")
    assert studio.operations.saved_ids == [first.unwrap().operation.id]  # none for the refusal


async def test_deleting_makes_room_again(studio: Studio) -> None:
    await on_plan(studio, "ada", storage_bytes=Limit.of(1))
    asset = (await studio.run.execute(text_to_image())).unwrap().assets[0]
    await studio.assets.delete("ada", asset.id)

    assert isinstance(await studio.run.execute(text_to_image()), Success)


async def test_usage_shows_stored_bytes_against_the_plans_storage_limit(studio: Studio) -> None:
    await on_plan(studio, "ada", storage_bytes=Limit.of(10_000_000), retention_days=7)
    done = (await studio.run.execute(text_to_image(outputs=2))).unwrap()

    report = (
        await ReadUsage(studio.quota, studio.clock, None, studio.assets.library).execute("ada")
    ).unwrap()

    [row] = [row for row in report.rows if row.name == STORAGE]
    assert row.used == sum(asset.size_bytes for asset in done.assets)
    assert row.limit == Limit.of(10_000_000)
    assert row.remaining == 10_000_000 - row.used
    assert report.retention_days == 7


async def test_the_sweep_deletes_only_assets_past_their_owners_retention(studio: Studio) -> None:
    await on_plan(studio, "ada", retention_days=30)
    old = (await studio.run.execute(text_to_image())).unwrap().assets[0]
    kept_by_plan = (await studio.run.execute(text_to_image("bob"))).unwrap().assets[0]
    studio.clock.advance(timedelta(days=2))
    young = (await studio.run.execute(text_to_image())).unwrap().assets[0]
    studio.clock.set(NOW + timedelta(days=30, seconds=1))

    report = await SweepStorage(studio.assets, studio.quota, studio.clock).execute()

    assert (report.deleted, report.bytes_freed) == (1, old.size_bytes)
    assert await studio.assets.describe("ada", old.id) is None
    assert await studio.assets.content.get("ada", old.id, old.media_type) is None
    assert await studio.assets.describe("ada", young.id) == young
    assert await studio.assets.describe("bob", kept_by_plan.id) == kept_by_plan
    assert await studio.ledger.for_operation(old.operation_id) is not None


async def test_a_retention_no_date_reaches_back_to_keeps_everything_and_the_sweep_goes_on(
    studio: Studio,
) -> None:
    # Stored before plans were checked (define_plan now refuses a retention past a century):
    # counting a million days back from now is before year 1, and raised for every sweep.
    await on_plan(studio, "ada", retention_days=1_000_000)
    await on_plan(studio, "bob", retention_days=30)
    kept = (await studio.run.execute(text_to_image())).unwrap().assets[0]
    expired = (await studio.run.execute(text_to_image("bob"))).unwrap().assets[0]
    studio.clock.set(NOW + timedelta(days=31))

    report = await SweepStorage(studio.assets, studio.quota, studio.clock).execute()

    assert (report.deleted, report.bytes_freed) == (1, expired.size_bytes)
    assert await studio.assets.describe("ada", kept.id) == kept


async def test_the_sweep_keeps_the_assets_of_an_owner_it_cannot_find_a_plan_for(
    studio: Studio,
) -> None:
    stray = a_row("ast_stray", owner="nobody")
    await studio.assets.save(stray, b"x")
    studio.clock.advance(timedelta(days=10_000))

    report = await SweepStorage(studio.assets, studio.quota, studio.clock).execute()

    assert report.owners_without_plan == ("nobody",)
    assert await studio.assets.describe("nobody", stray.id) == stray


def a_row(asset_id: str, owner: str = "ada") -> Asset:
    return Asset(
        id=asset_id,
        owner=owner,
        operation_id="op_x",
        model_id="acme-flat",
        kind=OperationKind.TEXT_TO_IMAGE,
        media_type=MediaType.PNG,
        size_bytes=1,
        created_at=NOW,
    )


def gc_world() -> tuple[AssetVault, FixedClock, CollectGarbage]:
    clock = FixedClock(NOW)
    vault = AssetVault(InMemoryAssetLibrary(), InMemoryAssetBytes(clock=clock.now))
    return vault, clock, CollectGarbage(vault, clock)


async def test_gc_removes_bytes_a_crash_left_without_a_row_once_past_the_margin() -> None:
    vault, clock, gc = gc_world()
    await vault.save(a_row("ast_kept"), b"kept")
    # The crash: bytes stored, the process died before the row was recorded.
    await vault.content.put("ada", "ast_orphan", MediaType.PNG, b"orphan!")
    clock.advance(timedelta(hours=2))
    await vault.content.put("ada", "ast_young", MediaType.PNG, b"young")

    dry = await gc.execute(margin=timedelta(hours=1), dry_run=True)
    assert [o.asset_id for o in dry.orphans] == ["ast_orphan"]
    assert await vault.content.get("ada", "ast_orphan", MediaType.PNG) == b"orphan!"

    report = await gc.execute(margin=timedelta(hours=1))

    assert [o.asset_id for o in report.orphans] == ["ast_orphan"]
    assert (report.bytes_freed, report.young_orphans, report.missing) == (7, 1, ())
    assert await vault.content.get("ada", "ast_orphan", MediaType.PNG) is None
    assert await vault.content.get("ada", "ast_young", MediaType.PNG) == b"young"
    assert await vault.load("ada", "ast_kept") is not None


async def test_gc_reports_rows_whose_bytes_are_missing_and_changes_nothing() -> None:
    vault, clock, gc = gc_world()
    row = a_row("ast_lost")
    await vault.save(row, b"gone soon")
    await vault.content.remove("ada", row.id, row.media_type)
    clock.advance(timedelta(seconds=1))

    report = await gc.execute()

    assert report.missing == (MissingBytes(owner="ada", asset_id="ast_lost"),)
    assert await vault.describe("ada", row.id) == row
    assert await vault.load("ada", row.id) is None


async def test_gc_on_a_consistent_store_finds_nothing() -> None:
    vault, clock, gc = gc_world()
    for n in range(5):
        await vault.save(a_row(f"ast_{n}", owner=f"user{n % 2}"), b"fine")
    clock.advance(timedelta(days=1))

    report = await gc.execute(margin=timedelta(0))

    assert (report.orphans, report.missing, report.young_orphans) == ((), (), 0)
