"""`imagestudio assets list|search|show`: find assets and read about them."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from imagestudio.domain.asset_query import AssetQuery
from imagestudio.entrypoints.cli.asset_group import assets_app
from imagestudio.entrypoints.cli.asset_options import (
    AssetId,
    Before,
    Collection,
    Cursor,
    Favourite,
    Kind,
    Limit,
    ModelId,
    Since,
    Tag,
    User,
)
from imagestudio.entrypoints.cli.asset_views import (
    asset_json,
    details_json,
    print_asset,
    print_page,
)
from imagestudio.entrypoints.cli.moment_option import moment
from imagestudio.entrypoints.cli.options import Json
from imagestudio.entrypoints.cli.output import print_json, unwrap_or_fail
from imagestudio.entrypoints.cli.studio import studio, user_or_default


@assets_app.command("list")
def list_assets(
    kind: Kind = None,
    model: ModelId = None,
    tag: Tag = None,
    collection: Collection = None,
    favourite: Favourite = None,
    since: Since = None,
    before: Before = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    text: Annotated[
        str | None, typer.Option("--search", "-s", help="Words that must be in the prompt.")
    ] = None,
    user: User = None,
    json: Json = False,
) -> None:
    """List your assets, newest first, filtered; one page at a time."""
    query = AssetQuery(
        text=text,
        kind=kind,
        model_id=model,
        tag=tag,
        collection=collection,
        favourite=favourite,
        created_from=moment("--since", since, json),
        created_before=moment("--before", before, json),
    )
    _show_page(user, query, limit, cursor, json)


@assets_app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="Words that must all appear in the prompt.")],
    kind: Kind = None,
    model: ModelId = None,
    tag: Tag = None,
    collection: Collection = None,
    favourite: Favourite = None,
    since: Since = None,
    before: Before = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    user: User = None,
    json: Json = False,
) -> None:
    """Find your assets by the words of their prompt (whole words, any order, any case)."""
    list_assets(
        kind, model, tag, collection, favourite, since, before, limit, cursor, text, user, json
    )


@assets_app.command("show")
def show(asset_id: AssetId, user: User = None, json: Json = False) -> None:
    """Everything about one asset, and the assets it was derived from."""
    details = unwrap_or_fail(
        asyncio.run(studio().show_asset.execute(user_or_default(user), asset_id)), json
    )
    if json:
        print_json(details_json(details))
        return
    print_asset(details)


def _show_page(
    user: str | None, query: AssetQuery, limit: int, cursor: str | None, as_json: bool
) -> None:
    page = unwrap_or_fail(
        asyncio.run(
            studio().list_assets.execute(user_or_default(user), cursor, limit, query=query)
        ),
        as_json,
    )
    if as_json:
        print_json({"items": [asset_json(a) for a in page.items], "next_cursor": page.next_cursor})
        return
    print_page(page)
