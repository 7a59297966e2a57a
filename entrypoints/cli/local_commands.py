"""`imagestudio compress|convert|social`: image work done here, free, recorded like any
operation (a new asset with its lineage, a zero-cost ledger line)."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated

import typer

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.errors.echo import echoed
from imagestudio.domain.media import MediaType
from imagestudio.entrypoints.cli.operation_inputs import images_or_fail
from imagestudio.entrypoints.cli.options import Json, Out
from imagestudio.entrypoints.cli.output import fail, print_json, table
from imagestudio.entrypoints.cli.running import run_operation
from imagestudio.entrypoints.cli.studio import studio, user_or_default

Image = Annotated[str, typer.Argument(help="An image file, or asset:<id> for a stored asset.")]
User = Annotated[
    str | None, typer.Option("--user", "-u", help="User id (default: the local user).")
]
KeepMetadata = Annotated[
    bool,
    typer.Option("--keep-metadata", help="Keep EXIF/XMP/ICC (stripped by default)."),
]
Quality = Annotated[int | None, typer.Option("--quality", "-q", help="1-100.")]
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)[bB]?\s*")


def register(app: typer.Typer) -> None:
    app.command()(compress)
    app.command()(convert)
    app.command()(social)
    app.command("social-formats")(social_formats)


def compress(
    image: Image,
    quality: Quality = None,
    target_size: Annotated[
        str | None,
        typer.Option("--target-size", help="Largest acceptable output: 250KB, 1.5MB, 90000."),
    ] = None,
    to: Annotated[
        str | None, typer.Option("--format", help="png, jpg, webp or avif (default: same).")
    ] = None,
    keep_metadata: KeepMetadata = False,
    user: User = None,
    out: Out = None,
    json: Json = False,
) -> None:
    """Re-encode an image smaller, at a quality or within a size. Free."""
    from imagestudio.application.ports.image_processor import CompressSpec, Metadata

    spec = CompressSpec(
        quality=quality,
        target_bytes=None if target_size is None else byte_count(target_size, json),
        media_type=None if to is None else media_type(to, json),
        metadata=Metadata.KEEP if keep_metadata else Metadata.STRIP,
    )
    inputs = [(image, "image")]
    [picture] = images_or_fail(inputs, json)
    started = studio()
    work = started.compress.execute(user_or_default(user), picture, spec)
    run_operation(started, work, label="compressing", as_json=json, out=out, inputs=inputs)


def convert(
    image: Image,
    to: Annotated[str, typer.Argument(metavar="FORMAT", help="png, jpg, webp or avif.")],
    quality: Quality = None,
    background: Annotated[
        str,
        typer.Option("--background", help="What transparency becomes in JPEG (#rrggbb)."),
    ] = "#ffffff",
    keep_metadata: KeepMetadata = False,
    user: User = None,
    out: Out = None,
    json: Json = False,
) -> None:
    """Convert an image to another format, transparency handled. Free."""
    from imagestudio.application.ports.image_processor import ConvertSpec, Metadata

    spec = ConvertSpec(
        media_type=media_type(to, json),
        quality=quality,
        background=colour(background, json),
        metadata=Metadata.KEEP if keep_metadata else Metadata.STRIP,
    )
    inputs = [(image, "image")]
    [picture] = images_or_fail(inputs, json)
    started = studio()
    work = started.convert.execute(user_or_default(user), picture, spec)
    run_operation(started, work, label="converting", as_json=json, out=out, inputs=inputs)


def social(
    image: Image,
    format_key: Annotated[
        str,
        typer.Argument(
            metavar="PLATFORM/FORMAT", help="e.g. instagram/story (see social-formats)."
        ),
    ],
    to: Annotated[
        str | None, typer.Option("--format", help="Output file type (default: the preset's).")
    ] = None,
    keep_metadata: KeepMetadata = False,
    user: User = None,
    out: Out = None,
    json: Json = False,
) -> None:
    """Resize and smart-crop an image to a social platform's format. Free."""
    from imagestudio.application.ports.image_processor import Metadata

    inputs = [(image, "image")]
    [picture] = images_or_fail(inputs, json)
    started = studio()
    work = started.social.execute(
        user_or_default(user),
        picture,
        format_key,
        media_type=None if to is None else media_type(to, json),
        metadata=Metadata.KEEP if keep_metadata else Metadata.STRIP,
    )
    run_operation(started, work, label="fitting", as_json=json, out=out, inputs=inputs)


def social_formats(
    platform: Annotated[str | None, typer.Argument(help="Only this platform's.")] = None,
    json: Json = False,
) -> None:
    """The social platform formats `social` knows."""
    formats = asyncio.run(studio().social_formats.execute(platform))
    if json:
        print_json(
            [
                {
                    "key": f.key,
                    "platform": f.platform,
                    "name": f.name,
                    "width": f.width,
                    "height": f.height,
                    "media_type": f.media_type.value,
                    "max_bytes": f.max_bytes,
                    "description": f.description,
                }
                for f in formats
            ]
        )
        return
    table(
        "social formats",
        ["format", "size", "type", "max bytes", "description"],
        [
            (
                f.key,
                f"{f.width}x{f.height}",
                f.media_type.extension,
                f.max_bytes or "-",
                f.description,
            )
            for f in formats
        ],
        prose=("description",),
    )


def media_type(text: str, as_json: bool) -> MediaType:
    try:
        found = MediaType.from_extension(text)
    except ValueError:
        found = None
    if found is None or not found.is_image:
        fail(InvalidInput("--format", f"{echoed(text)} is not png, jpg, webp or avif"), as_json)
    return found


def byte_count(text: str, as_json: bool) -> int:
    match = _SIZE.fullmatch(text)
    if match is None:
        fail(InvalidInput("--target-size", f"{echoed(text)} is not a size such as 250KB"), as_json)
    number, unit = float(match[1]), match[2].lower()
    return int(number * {"": 1, "k": 1000, "m": 1000 * 1000}[unit])


def colour(text: str, as_json: bool) -> tuple[int, int, int]:
    hex_digits = text.removeprefix("#")
    if not re.fullmatch(r"[0-9a-fA-F]{6}", hex_digits):
        fail(
            InvalidInput("--background", f"{echoed(text)} is not a colour such as #ffffff"), as_json
        )
    return (int(hex_digits[0:2], 16), int(hex_digits[2:4], 16), int(hex_digits[4:6], 16))
