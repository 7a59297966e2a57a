"""`imagestudio assets download|thumbnail`: copy an asset's bytes, or its thumbnail, to a file."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from imagestudio.entrypoints.cli.asset_group import assets_app
from imagestudio.entrypoints.cli.asset_options import AssetId, User
from imagestudio.entrypoints.cli.options import Json
from imagestudio.entrypoints.cli.out_files import Output, targets, write
from imagestudio.entrypoints.cli.output import line, print_json, unwrap_or_fail
from imagestudio.entrypoints.cli.studio import studio, user_or_default


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
