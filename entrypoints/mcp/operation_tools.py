"""The tools around the paid ones: `quote` before a run (the price and the plan's room, nothing
reserved), `get_operation` after one (a long run answers while it still runs)."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from pydantic import Field
from returns.result import Failure

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.http.model_schemas import QuoteOut
from imagestudio.entrypoints.http.schemas import ImageIn, OperationIn, OperationOut
from imagestudio.entrypoints.http.whole_numbers import WholeNumber, WholeNumberOrNone
from imagestudio.entrypoints.mcp import hints
from imagestudio.entrypoints.mcp.acting import Resolve
from imagestudio.entrypoints.mcp.inputs import Model, Params, Seed
from imagestudio.entrypoints.mcp.refusals import refused, validated
from imagestudio.entrypoints.mcp.running import follow

Ctx = Context[Any, Any]


def register(server: MCPServer[Any], resolve: Resolve) -> None:
    @server.tool(
        description="The price of an operation and how it fits your plan now, without running "
        "it (nothing is reserved or charged). Its fields are the HTTP API's quote body: `kind`, "
        "model, prompt, size, n, seed; the kind's own fields (mode, scale, duration, resolution, "
        "target_index, negative_prompt) in `parameters`; images, if any, as a list of "
        "{role, asset_id | base64}.",
        annotations=hints.READING,
        structured_output=True,
    )
    async def quote(
        ctx: Ctx,
        kind: OperationKind,
        model: Model = "auto",
        prompt: str = "",
        width: WholeNumberOrNone = None,
        height: WholeNumberOrNone = None,
        n: WholeNumber = 1,
        seed: Seed = None,
        parameters: Params = None,
        images: list[ImageIn] | None = None,
    ) -> QuoteOut:
        acting = resolve(ctx)
        body = validated(
            OperationIn,
            {
                "kind": kind,
                "model": model,
                "prompt": prompt,
                "width": width,
                "height": height,
                "n": n,
                "seed": seed,
                "parameters": parameters or {},
                "images": [image.model_dump(exclude_none=True) for image in images or ()],
            },
        )
        request = body.to_request(acting.user)
        if isinstance(request, InvalidInput):
            raise refused(request)
        priced = await acting.studio.quote.execute(request)
        if isinstance(priced, Failure):
            raise refused(priced.failure())
        return QuoteOut.of(priced.unwrap())

    @server.tool(
        description="One of your operations as it stands: status, charge, assets with links, "
        "what it still holds of your plan and what it waits for. Free.",
        annotations=hints.READING,
        structured_output=True,
    )
    async def get_operation(
        ctx: Ctx, operation_id: Annotated[str, Field(max_length=200)]
    ) -> OperationOut:
        return await follow(resolve(ctx), operation_id)
