"""The asset library through its use cases: lineage, labels, filters, deletion, ownership."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from fakes import NOW, text_to_image
from returns.result import Failure, Success

from imagestudio.application.requests import ImageInput
from imagestudio.application.use_cases.delete_asset import DeleteAsset
from imagestudio.application.use_cases.edit import EditRequest
from imagestudio.application.use_cases.get_asset import GetAsset
from imagestudio.application.use_cases.label_asset import LabelAsset
from imagestudio.application.use_cases.list_assets import ListAssets
from imagestudio.application.use_cases.show_asset import ShowAsset
from imagestudio.application.use_cases.upscale import UpscaleRequest
from imagestudio.domain.asset import Asset
from imagestudio.domain.asset_query import AssetQuery, Relabel
from imagestudio.domain.errors import AssetNotFound, InvalidInput
from imagestudio.domain.operation_kind import OperationKind

if TYPE_CHECKING:
    from conftest import Studio


async def generated(studio: Studio, user: str = "ada", prompt: str = "a red kite") -> Asset:
    done = await studio.run.execute(text_to_image(user, prompt=prompt, width=256, height=128))
    return done.unwrap().assets[0]


async def edited(studio: Studio, source: Asset, user: str = "ada") -> Asset:
    request = EditRequest(
        user_id=user,
        image=ImageInput(asset_id=source.id),
        prompt="add a boat",
        model_id="acme-edit",
    )
    return (await studio.edit.execute(request)).unwrap().assets[0]


async def test_an_edit_of_an_upscale_of_a_generation_shows_its_whole_lineage(
    studio: Studio,
) -> None:
    first = await generated(studio)
    bigger = (
        (
            await studio.upscale.execute(
                UpscaleRequest(
                    user_id="ada", image=ImageInput(asset_id=first.id), model_id="acme-upscale"
                )
            )
        )
        .unwrap()
        .assets[0]
    )
    last = await edited(studio, bigger)

    details = (await ShowAsset(studio.assets).execute("ada", last.id)).unwrap()

    assert last.derived_from == (bigger.id,)
    assert bigger.derived_from == (first.id,)
    assert [(a.asset_id, a.depth) for a in details.lineage] == [(bigger.id, 1), (first.id, 2)]
    assert details.lineage[1].asset == first
    assert first.derived_from == ()


async def test_lineage_keeps_naming_a_deleted_ancestor(studio: Studio) -> None:
    first = await generated(studio)
    second = await edited(studio, first)
    await DeleteAsset(studio.assets).execute("ada", first.id)

    details = (await ShowAsset(studio.assets).execute("ada", second.id)).unwrap()

    assert [(a.asset_id, a.asset) for a in details.lineage] == [(first.id, None)]


async def test_an_asset_records_its_true_cost_model_prompt_and_operation(studio: Studio) -> None:
    done = (await studio.run.execute(text_to_image(prompt="a quiet harbour"))).unwrap()
    [asset] = done.assets
    line = await studio.line_of(done.operation.id)

    assert asset.cost == line.user_charge == done.charged
    assert (asset.model_id, asset.prompt, asset.operation_id) == (
        "acme-flat",
        "a quiet harbour",
        done.operation.id,
    )


async def test_tags_favourite_and_collections_are_kept_and_filterable(studio: Studio) -> None:
    kite = await generated(studio, prompt="a red kite")
    boat = await generated(studio, prompt="a blue boat")
    label = LabelAsset(studio.assets)

    await label.execute("ada", kite.id, Relabel(add_tags=frozenset({"sky", "red"})))
    await label.execute("ada", kite.id, Relabel(favourite=True, add_collections=frozenset({"s"})))
    changed = (
        await label.execute("ada", kite.id, Relabel(remove_tags=frozenset({"red"})))
    ).unwrap()

    assert (changed.tags, changed.favourite, changed.collections) == ({"sky"}, True, {"s"})
    listing = ListAssets(studio.assets)
    for query, expected in [
        (AssetQuery(tag="sky"), [kite.id]),
        (AssetQuery(collection="s"), [kite.id]),
        (AssetQuery(favourite=True), [kite.id]),
        (AssetQuery(favourite=False), [boat.id]),
        (AssetQuery(text="BOAT"), [boat.id]),
        (AssetQuery(kind=OperationKind.UPSCALE), []),
        (AssetQuery(model_id="acme-flat"), [boat.id, kite.id]),
    ]:
        page = (await listing.execute("ada", query=query)).unwrap()
        assert [a.id for a in page.items] == expected, query


async def test_date_filters_bound_the_listing(studio: Studio) -> None:
    old = await generated(studio)
    studio.clock.advance(timedelta(days=2))
    new = await generated(studio)
    listing = ListAssets(studio.assets)
    cut = NOW + timedelta(days=1)

    since = (await listing.execute("ada", query=AssetQuery(created_from=cut))).unwrap()
    before = (await listing.execute("ada", query=AssetQuery(created_before=cut))).unwrap()

    assert [a.id for a in since.items] == [new.id]
    assert [a.id for a in before.items] == [old.id]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (AssetQuery(tag=""), "tag"),
        (AssetQuery(collection=" padded "), "collection"),
        (AssetQuery(tag="x" * 65), "tag"),
        (AssetQuery(created_from=NOW.replace(tzinfo=None)), "created_from"),
        (AssetQuery(text="w " * 300), "q"),
    ],
)
async def test_a_query_that_cannot_run_is_invalid_input(
    studio: Studio, query: AssetQuery, field: str
) -> None:
    result = await ListAssets(studio.assets).execute("ada", query=query)

    assert isinstance(result, Failure)
    assert result.failure().field == field


@pytest.mark.parametrize(
    "change",
    [
        Relabel(add_tags=frozenset({""})),
        Relabel(add_collections=frozenset({"tab\there"})),
        Relabel(remove_tags=frozenset({" x"})),
    ],
)
async def test_a_bad_label_is_refused_and_changes_nothing(studio: Studio, change: Relabel) -> None:
    asset = await generated(studio)

    result = await LabelAsset(studio.assets).execute("ada", asset.id, change)

    assert isinstance(result, Failure) and isinstance(result.failure(), InvalidInput)
    assert await studio.assets.describe("ada", asset.id) == asset


async def test_an_asset_keeps_at_most_fifty_tags(studio: Studio) -> None:
    asset = await generated(studio)
    label = LabelAsset(studio.assets)
    many = frozenset(f"t{n}" for n in range(50))
    assert isinstance(await label.execute("ada", asset.id, Relabel(add_tags=many)), Success)

    result = await label.execute("ada", asset.id, Relabel(add_tags=frozenset({"one-more"})))

    assert isinstance(result, Failure) and result.failure().field == "tags"


async def test_deleting_removes_row_and_bytes_and_keeps_the_ledger_line(studio: Studio) -> None:
    done = (await studio.run.execute(text_to_image(width=256, height=128))).unwrap()
    [asset] = done.assets

    removed = await DeleteAsset(studio.assets).execute("ada", asset.id)

    assert removed == Success(asset)
    assert await studio.assets.load("ada", asset.id) is None
    assert await studio.assets.content.get("ada", asset.id, asset.media_type) is None
    assert (await studio.line_of(done.operation.id)).user_charge == done.charged
    assert await DeleteAsset(studio.assets).execute("ada", asset.id) == Failure(
        AssetNotFound(asset.id)
    )


async def test_no_user_can_see_or_touch_anothers_asset_through_any_use_case(
    studio: Studio,
) -> None:
    asset = await generated(studio, user="ada")
    vault = studio.assets
    missing = Failure(AssetNotFound(asset.id))

    assert await GetAsset(vault).execute("bob", asset.id) == missing
    assert await ShowAsset(vault).execute("bob", asset.id) == missing
    assert await LabelAsset(vault).execute("bob", asset.id, Relabel(favourite=True)) == missing
    assert await DeleteAsset(vault).execute("bob", asset.id) == missing
    assert (await ListAssets(vault).execute("bob")).unwrap().items == ()
    assert (
        await ListAssets(vault).execute("bob", query=AssetQuery(text="kite"))
    ).unwrap().items == ()
    request = EditRequest(
        user_id="bob", image=ImageInput(asset_id=asset.id), prompt="x", model_id="acme-edit"
    )
    assert await studio.edit.execute(request) == missing
    assert await vault.describe("ada", asset.id) == asset
    await studio.assert_nothing_spent("bob")


@pytest.mark.parametrize("asset_id", ["ast\x00", "ast\ud800"], ids=["nul", "surrogate"])
async def test_an_id_no_database_could_hold_is_simply_not_found(
    studio: Studio, asset_id: str
) -> None:
    missing = Failure(AssetNotFound(asset_id))

    assert await ShowAsset(studio.assets).execute("ada", asset_id) == missing
    assert await DeleteAsset(studio.assets).execute("ada", asset_id) == missing
    assert await GetAsset(studio.assets).execute("ada", asset_id) == missing
    request = EditRequest(
        user_id="ada", image=ImageInput(asset_id=asset_id), prompt="x", model_id="acme-edit"
    )
    assert await studio.edit.execute(request) == missing
