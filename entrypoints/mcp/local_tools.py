"""The local tools: compress, convert and fit to a social format, done on this machine. Free,
but recorded like any operation (a new asset with its lineage, a call in the plan's `local`
category), so the plan's limits on local work hold here as over HTTP."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from pydantic import Field
from returns.result import Failure, Result

from imagestudio.application.requests import OperationResult
from imagestudio.domain.errors import OperationError
from imagestudio.entrypoints.http.local_schemas import (
    CompressIn,
    ConvertIn,
    Format,
    LocalImageIn,
    MetadataChoice,
    SocialIn,
    media_type,
)
from imagestudio.entrypoints.http.schemas import OperationOut
from imagestudio.entrypoints.http.whole_numbers import WholeNumberOrNone
from imagestudio.entrypoints.mcp import hints
from imagestudio.entrypoints.mcp.acting import Acting, Resolve
from imagestudio.entrypoints.mcp.inputs import ImageArg, local_fields, local_input
from imagestudio.entrypoints.mcp.refusals import refused, validated
from imagestudio.entrypoints.mcp.results import operation_out

Ctx = Context[Any, Any]
Kept = Annotated[MetadataChoice, Field(description="`keep` carries EXIF, XMP and ICC over.")]
FREE = " Free (counted in your plan's local calls). Answers with the new asset's id and link."


async def _answer(
    acting: Acting, outcome: Result[OperationResult, OperationError], body: type[LocalImageIn]
) -> OperationOut:
    if isinstance(outcome, Failure):
        raise refused(body.named_here(outcome.failure()))
    done = outcome.unwrap()
    return await operation_out(acting, done.operation, done.failed_outputs, assets=done.assets)


def register(server: MCPServer[Any], resolve: Resolve) -> None:
    @server.tool(
        description="Re-encode an image smaller: at a `quality` (1-100) or as good as fits in "
        "`target_bytes`, optionally in another `format`." + FREE,
        annotations=hints.LOCAL,
        structured_output=True,
    )
    async def compress(
        ctx: Ctx,
        image: ImageArg,
        quality: WholeNumberOrNone = None,
        target_bytes: WholeNumberOrNone = None,
        format: Format | None = None,
        metadata: Kept = "strip",
    ) -> OperationOut:
        acting = resolve(ctx)
        body = validated(
            CompressIn,
            local_fields(
                image,
                quality=quality,
                target_bytes=target_bytes,
                format=format,
                metadata=metadata,
            ),
        )
        work = acting.studio.compress.execute(acting.user, local_input(body), body.spec())
        return await _answer(acting, await work, CompressIn)

    @server.tool(
        description="Convert an image to `format` (png, jpg, webp, avif); transparency becomes "
        "`background` (#rrggbb) where the format has none." + FREE,
        annotations=hints.LOCAL,
        structured_output=True,
    )
    async def convert(
        ctx: Ctx,
        image: ImageArg,
        format: Format,
        quality: WholeNumberOrNone = None,
        background: str = "#ffffff",
        metadata: Kept = "strip",
    ) -> OperationOut:
        acting = resolve(ctx)
        body = validated(
            ConvertIn,
            local_fields(
                image, format=format, quality=quality, background=background, metadata=metadata
            ),
        )
        work = acting.studio.convert.execute(acting.user, local_input(body), body.spec())
        return await _answer(acting, await work, ConvertIn)

    @server.tool(
        description="Resize and smart-crop an image to exactly a social platform's `preset` "
        "(`instagram/story`...), in the preset's file type unless `format` says otherwise." + FREE,
        annotations=hints.LOCAL,
        structured_output=True,
    )
    async def social(
        ctx: Ctx,
        image: ImageArg,
        preset: str,
        format: Format | None = None,
        metadata: Kept = "strip",
    ) -> OperationOut:
        acting = resolve(ctx)
        body = validated(
            SocialIn, local_fields(image, preset=preset, format=format, metadata=metadata)
        )
        work = acting.studio.social.execute(
            acting.user,
            local_input(body),
            body.preset,
            media_type=media_type(body.format),
            metadata=body.kept_metadata(),
        )
        return await _answer(acting, await work, SocialIn)
