"""Text PostgreSQL cannot store (a NUL, a lone surrogate) in what a host application hands the
Python API is refused before anything is spent: found at the settlement, it would fail the
transaction that records outputs the provider already billed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from returns.result import Failure

from imagestudio.adapters.sql import schema
from imagestudio.domain.asset_query import AssetQuery
from imagestudio.domain.errors import AssetNotFound, InvalidInput, UnknownUser, WebhookRefused
from imagestudio.entrypoints.api import (
    Adjustment,
    CompressSpec,
    EditRequest,
    GenerateRequest,
    ImageInput,
    ImageStudio,
    Profile,
    WebhookSubscription,
)


async def started(postgres_url: str, tmp_path: Path, **settings: object) -> ImageStudio:
    """A studio on a fresh PostgreSQL schema, started, as a host application runs one."""
    studio = ImageStudio.open(
        profile=Profile.POSTGRES, database_url=postgres_url, data_dir=tmp_path, **settings
    )
    await schema.upgrade(studio.container.engine())
    await studio.start()
    return studio


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hook\x00", "http://127.0.0.1:9/h\ud800"])
async def test_a_webhook_url_postgres_cannot_store_is_refused_before_the_provider(
    postgres_url: str, tmp_path: Path, url: str
) -> None:
    studio = await started(
        postgres_url,
        tmp_path,
        offline_provider=True,
        offline_price_usd="0.02",
        webhook_allow_http=True,
        webhook_allow_private=True,
    )
    request = GenerateRequest(
        user_id="local", prompt="a kite", webhook=WebhookSubscription(url=url)
    )

    result = await studio.generate.execute(request)

    assert isinstance(result, Failure), result
    assert isinstance(result.failure(), InvalidInput | WebhookRefused), result
    assert (await studio.list_operations.execute("local")).unwrap().items == ()
    usage = (await studio.usage.execute("local")).unwrap()
    assert [row.name for row in usage.rows if row.held or row.used] == []
    await studio.aclose()


async def test_a_parameter_with_a_nul_is_kept_on_postgres(
    postgres_url: str, tmp_path: Path
) -> None:
    # Parameters are stored as JSON, which escapes it: no need to refuse them.
    studio = await started(postgres_url, tmp_path, offline_provider=True)
    request = GenerateRequest(user_id="local", prompt="a kite", negative_prompt="blur\x00")

    done = (await studio.generate.execute(request)).unwrap()

    shown = (await studio.show_operation.execute("local", done.operation.id)).unwrap()
    assert shown.operation.parameters["negative_prompt"] == "blur\x00"
    await studio.aclose()


async def test_an_adjustment_reason_postgres_cannot_store_is_invalid_input(
    postgres_url: str, tmp_path: Path
) -> None:
    studio = await started(postgres_url, tmp_path)

    result = await studio.adjust_charge.execute(
        Adjustment(user_id="local", amount=5_000, reason="goodwill\x00")
    )

    assert isinstance(result, Failure), result
    error = result.failure()
    assert isinstance(error, InvalidInput) and error.field == "reason", error
    assert (await studio.list_ledger.execute("local")).unwrap().items == ()
    await studio.aclose()


async def test_an_operation_naming_ids_no_database_could_hold_finds_nothing(
    postgres_url: str, tmp_path: Path
) -> None:
    studio = await started(postgres_url, tmp_path, offline_provider=True)
    by_nul = GenerateRequest(user_id="local\x00", prompt="a kite")
    of_nul = EditRequest(user_id="local", image=ImageInput(asset_id="ast\x00"), prompt="a kite")

    results = [
        await studio.generate.execute(by_nul),
        await studio.edit.execute(of_nul),
        await studio.compress.execute("local", ImageInput(asset_id="ast\x00"), CompressSpec()),
        await studio.compress.execute("local\x00", ImageInput(asset_id="ast_1"), CompressSpec()),
    ]

    # As an asset id no database could hold is no asset, such a user id is no user.
    assert [type(result.failure()) for result in results if isinstance(result, Failure)] == [
        UnknownUser,
        AssetNotFound,
        AssetNotFound,
        UnknownUser,
    ]
    await studio.aclose()


@pytest.mark.parametrize("model", ["offline/\x00", "offline/\ud800"])
async def test_a_library_filter_by_a_model_postgres_cannot_compare_is_invalid_input(
    postgres_url: str, tmp_path: Path, model: str
) -> None:
    # Every way in reaches the use case (the MCP tools' filters had no check of their own):
    # PostgreSQL refuses to compare text holding a NUL, which failed the whole query.
    studio = await started(postgres_url, tmp_path)
    query = AssetQuery(model_id=model)

    for text in (None, "a kite"):
        found = await studio.list_assets.execute("local", None, 50, query=replace(query, text=text))
        assert isinstance(found, Failure), found
        assert isinstance(found.failure(), InvalidInput) and found.failure().field == "model"
    await studio.aclose()
