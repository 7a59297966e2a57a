"""`imagestudio assets tag|favourite|collect|delete`: change an asset's labels, or delete it."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from imagestudio.domain.asset_query import Relabel
from imagestudio.entrypoints.cli.asset_group import assets_app
from imagestudio.entrypoints.cli.asset_options import AssetId, User
from imagestudio.entrypoints.cli.asset_views import asset_json, print_labels
from imagestudio.entrypoints.cli.options import Json
from imagestudio.entrypoints.cli.output import print_json, unwrap_or_fail
from imagestudio.entrypoints.cli.studio import studio, user_or_default


@assets_app.command("tag")
def tag(
    asset_id: AssetId,
    tags: Annotated[list[str], typer.Argument(metavar="TAG...", help="Tags to add.")],
    remove: Annotated[bool, typer.Option("--remove", help="Remove these tags instead.")] = False,
    user: User = None,
    json: Json = False,
) -> None:
    """Add tags to an asset (or remove them)."""
    change = Relabel(remove_tags=frozenset(tags)) if remove else Relabel(add_tags=frozenset(tags))
    _relabel(user, asset_id, change, json)


@assets_app.command("favourite")
def favourite(
    asset_id: AssetId,
    off: Annotated[bool, typer.Option("--off", help="No longer a favourite.")] = False,
    user: User = None,
    json: Json = False,
) -> None:
    """Mark an asset as a favourite (or not)."""
    _relabel(user, asset_id, Relabel(favourite=not off), json)


@assets_app.command("collect")
def collect(
    asset_id: AssetId,
    collection: Annotated[str, typer.Argument(metavar="COLLECTION")],
    remove: Annotated[
        bool, typer.Option("--remove", help="Take it out of the collection instead.")
    ] = False,
    user: User = None,
    json: Json = False,
) -> None:
    """Put an asset in a collection (a collection exists while it holds assets)."""
    names = frozenset({collection})
    change = Relabel(remove_collections=names) if remove else Relabel(add_collections=names)
    _relabel(user, asset_id, change, json)


@assets_app.command("delete")
def delete(asset_id: AssetId, user: User = None, json: Json = False) -> None:
    """Delete an asset and its bytes; the ledger lines that paid for it stay."""
    removed = unwrap_or_fail(
        asyncio.run(studio().delete_asset.execute(user_or_default(user), asset_id)), json
    )
    if json:
        print_json({"deleted": removed.id, "size_bytes": removed.size_bytes})
        return
    typer.echo(f"deleted {removed.id} ({removed.size_bytes} bytes)")


def _relabel(user: str | None, asset_id: str, change: Relabel, as_json: bool) -> None:
    asset = unwrap_or_fail(
        asyncio.run(studio().label_asset.execute(user_or_default(user), asset_id, change)), as_json
    )
    if as_json:
        print_json(asset_json(asset))
        return
    print_labels(asset)
