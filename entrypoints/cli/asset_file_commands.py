"""`imagestudio assets download|thumbnail`: copy an asset's bytes, or its thumbnail, to a file."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.cli.asset_group import assets_app
from imagestudio.entrypoints.cli.asset_options import AssetId, User
from imagestudio.entrypoints.cli.options import Json
from imagestudio.entrypoints.cli.out_files import Output, Written, targets, unwritable, write
from imagestudio.entrypoints.cli.output import fail, line, print_json, unwrap_or_fail
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
    _write_or_fail(outputs, place, out, json)
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
    _write_or_fail(outputs, place, out, json)
    if json:
        print_json({"id": asset_id, "size": size, "path": str(place.path)})
        return
    line(place.said(len(made.data)))


def _write_or_fail(outputs: list[Output], place: Written, out: str | None, as_json: bool) -> None:
    """Write the file, or end with one line saying why it could not be (a file where a folder
    should be, no permission): it ended as an unexpected OSError."""
    refused = None if out is None else unwritable(out)
    if refused is not None:
        fail(InvalidInput("out", refused), as_json)
    try:
        write(outputs, [place])
    except OSError as error:
        said = f"cannot write {place.path}: {error.strerror or error}"
        fail(InvalidInput("out", said), as_json)
