"""The free reading tools: the models and their prices, your usage, your asset library, and
one of your assets as an image an agent can look at. Another user's asset does not exist for
you here, as over HTTP."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, ImageContent, ResourceLink, TextContent
from pydantic import BaseModel, Field
from returns.result import Failure

from imagestudio.application.use_cases.list_assets import MAX_SEARCH_CHARS
from imagestudio.domain.asset_query import AssetQuery
from imagestudio.domain.errors import AssetNotFound
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.http.asset_routes import query_moment
from imagestudio.entrypoints.http.asset_schemas import LibraryPageOut
from imagestudio.entrypoints.http.auth import ProblemError
from imagestudio.entrypoints.http.model_schemas import ModelOut
from imagestudio.entrypoints.http.usage_schemas import UsageOut
from imagestudio.entrypoints.http.whole_numbers import WholeNumber
from imagestudio.entrypoints.mcp import hints
from imagestudio.entrypoints.mcp.acting import Acting, Resolve
from imagestudio.entrypoints.mcp.refusals import problem_error, refused
from imagestudio.entrypoints.mcp.results import library_asset_out
from imagestudio.entrypoints.mcp.thumbnails import thumbnail

Ctx = Context[Any, Any]
MOMENT = "A day (2026-11-01, from its midnight UTC) or an ISO 8601 time (UTC when it has no zone)."
Moment = Annotated[str | None, Field(max_length=64, description=MOMENT)]
Cursor = Annotated[str | None, Field(max_length=400, description="A page's next_cursor.")]
Limit = Annotated[WholeNumber, Field(ge=1, le=200)]


class ModelsOut(BaseModel):
    models: list[ModelOut]


class Filters(BaseModel):
    """Only the assets matching every filter given."""

    kind: OperationKind | None = None
    model: str | None = Field(default=None, max_length=200)
    tag: str | None = Field(default=None, max_length=200)
    collection: str | None = Field(default=None, max_length=200)
    favourite: bool | None = None
    created_from: str | None = Field(default=None, max_length=64, description=MOMENT)
    created_before: str | None = Field(default=None, max_length=64, description=MOMENT)


async def _page(
    acting: Acting, filters: Filters | None, text: str | None, cursor: str | None, limit: int
) -> LibraryPageOut:
    chosen = filters or Filters()
    try:
        query = AssetQuery(
            kind=chosen.kind,
            model_id=chosen.model,
            tag=chosen.tag,
            collection=chosen.collection,
            favourite=chosen.favourite,
            created_from=query_moment("created_from", chosen.created_from),
            created_before=query_moment("created_before", chosen.created_before),
            text=text,
        )
    except ProblemError as refusal:
        raise problem_error(refusal.problem) from None
    page = await acting.studio.list_assets.execute(acting.user, cursor, limit, query=query)
    if isinstance(page, Failure):
        raise refused(page.failure())
    found = page.unwrap()
    return LibraryPageOut(
        items=[library_asset_out(acting, asset) for asset in found.items],
        next_cursor=found.next_cursor,
    )


def register(server: MCPServer[Any], resolve: Resolve) -> None:
    @server.tool(
        description="Every model (serving `kind`, when given): its price for one output and "
        "whether it is usable here. Free.",
        annotations=hints.READING,
        structured_output=True,
    )
    async def list_models(ctx: Ctx, kind: OperationKind | None = None) -> ModelsOut:
        listings = await resolve(ctx).studio.list_models.execute(kind)
        return ModelsOut(models=[ModelOut.of(item) for item in listings])

    @server.tool(
        description="Your usage this billing period: for each of your plan's limits what is "
        "used, held by running operations, the limit, what remains and when it resets. Free.",
        annotations=hints.READING,
        structured_output=True,
    )
    async def usage(ctx: Ctx) -> UsageOut:
        acting = resolve(ctx)
        report = await acting.studio.usage.execute(acting.user)
        if isinstance(report, Failure):
            raise refused(report.failure())
        return UsageOut.of(report.unwrap())

    @server.tool(
        description="Your assets, newest first, matching every filter given; pass next_cursor "
        "back as `cursor` (same filters) for the next page. Free.",
        annotations=hints.READING,
        structured_output=True,
    )
    async def list_assets(
        ctx: Ctx, filters: Filters | None = None, cursor: Cursor = None, limit: Limit = 50
    ) -> LibraryPageOut:
        return await _page(resolve(ctx), filters, None, cursor, limit)

    @server.tool(
        description="Your assets whose prompt holds every word of `query` (whole words, any "
        "case), newest first, optionally filtered too. Free.",
        annotations=hints.READING,
        structured_output=True,
    )
    async def search_assets(
        ctx: Ctx,
        query: Annotated[str, Field(min_length=1, max_length=MAX_SEARCH_CHARS)],
        filters: Filters | None = None,
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> LibraryPageOut:
        return await _page(resolve(ctx), filters, query, cursor, limit)

    @server.tool(
        description="One of your assets: an image is shown (a thumbnail unless `full`), "
        "with its description and a signed link; a video or 3D model is given as a link. Free.",
        annotations=hints.READING,
    )
    async def get_asset(
        ctx: Ctx,
        asset_id: Annotated[str, Field(max_length=200)],
        full: Annotated[bool, Field(description="The full-size image, not a thumbnail.")] = False,
    ) -> CallToolResult:
        acting = resolve(ctx)
        if not asset_id.isprintable():
            raise refused(AssetNotFound(asset_id))
        found = await acting.studio.get_asset.execute(acting.user, asset_id)
        if isinstance(found, Failure):
            raise refused(found.failure())
        content = found.unwrap()
        described = library_asset_out(acting, content.asset)
        text = TextContent(text=described.model_dump_json())
        if not content.asset.media_type.is_image:
            link = ResourceLink(
                name=content.asset.id,
                uri=described.url,
                mime_type=content.asset.media_type.value,
                size=content.asset.size_bytes,
            )
            return CallToolResult(content=[text, link])
        data, shown = (
            (content.data, content.asset.media_type)
            if full
            else await thumbnail(acting.studio, content)
        )
        image = ImageContent(data=base64.b64encode(data).decode(), mime_type=shown.value)
        return CallToolResult(content=[image, text])
