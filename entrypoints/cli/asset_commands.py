"""`imagestudio assets …`: the caller's library — list, search, show, download, label, delete."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Annotated, Any

import typer

from imagestudio.domain.asset_query import AssetQuery, Relabel
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.cli.groups import command_group
from imagestudio.entrypoints.cli.options import Json
from imagestudio.entrypoints.cli.out_files import Output, targets, write
from imagestudio.entrypoints.cli.output import (
    fail,
    line,
    money,
    print_json,
    table,
    unwrap_or_fail,
)
from imagestudio.entrypoints.cli.studio import studio, user_or_default

if TYPE_CHECKING:
    from imagestudio.application.use_cases.show_asset import AssetDetails
    from imagestudio.domain.asset import Asset

assets_app = command_group("Your stored results: list, search, label, download, delete.")
User = Annotated[
    str | None, typer.Option("--user", "-u", help="User id (default: the local user).")
]
AssetId = Annotated[str, typer.Argument(metavar="ID", help="The asset's id.")]
Kind = Annotated[OperationKind | None, typer.Option("--kind", help="Only this operation kind.")]
ModelId = Annotated[str | None, typer.Option("--model", "-m", help="Only this model's outputs.")]
Tag = Annotated[str | None, typer.Option("--tag", help="Only assets with this tag.")]
Collection = Annotated[str | None, typer.Option("--collection", help="Only this collection.")]
Favourite = Annotated[
    bool | None, typer.Option("--favourite/--not-favourite", help="Only (not) favourites.")
]
Since = Annotated[
    str | None, typer.Option("--since", help="Created at or after (2026-11-01 or an ISO time).")
]
Before = Annotated[str | None, typer.Option("--before", help="Created before (date or time).")]
Limit = Annotated[int, typer.Option("--limit", help="Assets per page, 1-200.")]
Cursor = Annotated[str | None, typer.Option("--cursor", help="A previous page's next cursor.")]


def register(app: typer.Typer) -> None:
    app.add_typer(assets_app, name="assets", no_args_is_help=True)


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
    _print_asset(details)


@assets_app.command("download")
def download(
    asset_id: AssetId,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            "-o",
            help="A file (named after its content's type), or a folder if it ends with / or "
            "exists (default: ./<id>.<ext>).",
        ),
    ] = None,
    user: User = None,
    json: Json = False,
) -> None:
    """Copy an asset's bytes to a file."""
    content = unwrap_or_fail(
        asyncio.run(studio().get_asset.execute(user_or_default(user), asset_id)), json
    )
    outputs = [Output(content.asset.id, content.data, content.asset.media_type)]
    [place] = targets(out, outputs)
    write(outputs, [place])
    if json:
        print_json({"id": asset_id, "path": str(place.path), "size_bytes": len(content.data)})
        return
    line(place.said(len(content.data)))


@assets_app.command("thumbnail")
def thumbnail(
    asset_id: AssetId,
    size: Annotated[int, typer.Option("--size", help="128, 256 or 512 pixels.")] = 256,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            "-o",
            help="A file, or a folder if it ends with / or exists "
            "(default: ./<id>-thumb<size>.webp).",
        ),
    ] = None,
    user: User = None,
    json: Json = False,
) -> None:
    """Write an image's thumbnail (WebP, made once and kept beside the image)."""
    made = unwrap_or_fail(
        asyncio.run(studio().get_thumbnail.execute(user_or_default(user), asset_id, size)), json
    )
    outputs = [Output(f"{asset_id}-thumb{size}", made.data, made.media_type)]
    [place] = targets(out, outputs)
    write(outputs, [place])
    if json:
        print_json({"id": asset_id, "size": size, "path": str(place.path)})
        return
    line(place.said(len(made.data)))


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


def moment(option: str, text: str | None, as_json: bool) -> datetime | None:
    """An ISO date (midnight UTC) or time (UTC when it names no zone); exits on anything else."""
    if text is None:
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        fail(InvalidInput(option, f"{text!r} is not a date (2026-11-01) or ISO time"), as_json)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def asset_json(asset: Asset) -> dict[str, Any]:
    return {
        "id": asset.id,
        "kind": asset.kind.value,
        "model": asset.model_id,
        "operation_id": asset.operation_id,
        "media_type": asset.media_type.value,
        "size_bytes": asset.size_bytes,
        "width": asset.width,
        "height": asset.height,
        "duration_seconds": asset.duration_seconds,
        "vertex_count": asset.vertex_count,
        "prompt": asset.prompt,
        "cost_micros": asset.cost,
        "cost_usd": money(asset.cost),
        "created_at": asset.created_at.isoformat(),
        "tags": sorted(asset.tags),
        "favourite": asset.favourite,
        "collections": sorted(asset.collections),
        "derived_from": list(asset.derived_from),
    }


def details_json(details: AssetDetails) -> dict[str, Any]:
    return {
        **asset_json(details.asset),
        "location": details.location,
        "lineage": [
            {
                "id": step.asset_id,
                "depth": step.depth,
                "deleted": step.asset is None,
                **(
                    {}
                    if step.asset is None
                    else {"kind": step.asset.kind.value, "model": step.asset.model_id}
                ),
            }
            for step in details.lineage
        ],
    }


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
    table(
        "assets",
        ["id", "created", "kind", "model", "type", "size", "cost", "tags", "prompt"],
        [
            (
                a.id,
                a.created_at.strftime("%Y-%m-%d %H:%M"),
                a.kind.value,
                a.model_id,
                a.media_type.extension,
                f"{a.width}x{a.height}" if a.width and a.height else "-",
                money(a.cost),
                ", ".join(sorted(a.tags)) + (" ★" if a.favourite else ""),
                a.prompt[:40],
            )
            for a in page.items
        ],
        prose=("created", "tags", "prompt"),
    )
    if page.next_cursor is not None:
        line(f"more: --cursor {page.next_cursor}")


def _relabel(user: str | None, asset_id: str, change: Relabel, as_json: bool) -> None:
    asset = unwrap_or_fail(
        asyncio.run(studio().label_asset.execute(user_or_default(user), asset_id, change)), as_json
    )
    if as_json:
        print_json(asset_json(asset))
        return
    typer.echo(
        f"{asset.id}: tags {', '.join(sorted(asset.tags)) or '-'}; "
        f"collections {', '.join(sorted(asset.collections)) or '-'}; "
        f"favourite {'yes' if asset.favourite else 'no'}"
    )


def _print_asset(details: AssetDetails) -> None:
    asset = details.asset
    fields = asset_json(asset)
    for name in ("id", "kind", "model", "operation_id", "media_type", "size_bytes", "created_at"):
        typer.echo(f"{name:>14}: {fields[name]}")
    if asset.width and asset.height:
        typer.echo(f"{'size':>14}: {asset.width}x{asset.height}")
    for name in ("duration_seconds", "vertex_count"):
        if fields[name] is not None:
            typer.echo(f"{name:>14}: {fields[name]}")
    typer.echo(f"{'cost':>14}: {money(asset.cost)}")
    typer.echo(f"{'prompt':>14}: {asset.prompt}")
    typer.echo(f"{'tags':>14}: {', '.join(sorted(asset.tags)) or '-'}")
    typer.echo(f"{'collections':>14}: {', '.join(sorted(asset.collections)) or '-'}")
    typer.echo(f"{'favourite':>14}: {'yes' if asset.favourite else 'no'}")
    typer.echo(f"{'location':>14}: {details.location}")
    for step in details.lineage:
        made = "deleted" if step.asset is None else f"{step.asset.kind} by {step.asset.model_id}"
        typer.echo(f"{'from':>14}: {'  ' * (step.depth - 1)}{step.asset_id} ({made})")
