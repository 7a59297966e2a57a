"""`make demo`: an offline generate → edit → upscale, showing where the files went and the cost.

It uses only the Python API, the way an embedding application would, and can run again and
again: each run adds new assets, and on the default `local` profile the usage it prints grows
from run to run (kept in the SQLite file in the data directory).
"""

from __future__ import annotations

import asyncio
import sys

from returns.result import Failure, Result

from imagestudio.application.requests import ImageInput, OperationRequest, OperationResult
from imagestudio.application.use_cases.edit import EditRequest
from imagestudio.application.use_cases.generate import GenerateRequest
from imagestudio.application.use_cases.upscale import UpscaleRequest
from imagestudio.domain.errors import OperationError
from imagestudio.domain.money import format_usd
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.api import ImageStudio


def _unwrap(step: str, result: Result[OperationResult, OperationError]) -> OperationResult:
    if isinstance(result, Failure):
        sys.exit(f"demo: {step} failed: {result.failure().message}")
    return result.unwrap()


async def _real_price(studio: ImageStudio, kind: OperationKind, user: str, prompt: str) -> str:
    """What the cheapest real (non-offline) model would reserve for the same step."""
    listings = [
        item for item in await studio.list_models.execute(kind) if item.model.provider != "offline"
    ]
    if not listings:
        return "-"
    cheapest = min(listings, key=lambda item: (item.price_of_one, item.model.id))
    quote = await studio.quote.execute(
        OperationRequest(user_id=user, kind=kind, model_id=cheapest.model.id, prompt=prompt)
    )
    if isinstance(quote, Failure):
        return "-"
    return f"{format_usd(quote.unwrap().amount)} on {cheapest.model.id}"


async def main() -> None:
    studio = await ImageStudio.connect()
    user = studio.container.settings().default_user
    assets = studio.container.assets()

    generated = _unwrap(
        "generate",
        await studio.generate.execute(
            GenerateRequest(
                user_id=user,
                prompt="a lighthouse at dusk, watercolour",
                width=768,
                height=512,
                seed=7,
            )
        ),
    )
    edited = _unwrap(
        "edit",
        await studio.edit.execute(
            EditRequest(
                user_id=user,
                image=ImageInput(asset_id=generated.assets[0].id),
                prompt="turn the sky to night",
                mode="general",
            )
        ),
    )
    upscaled = _unwrap(
        "upscale",
        await studio.upscale.execute(
            UpscaleRequest(user_id=user, image=ImageInput(asset_id=edited.assets[0].id), scale=2)
        ),
    )

    print(f"imagestudio demo (profile {studio.container.settings().profile}, user {user})\n")
    steps = (
        ("generate", OperationKind.TEXT_TO_IMAGE, generated),
        ("edit", OperationKind.IMAGE_EDIT, edited),
        ("upscale", OperationKind.UPSCALE, upscaled),
    )
    for step, kind, result in steps:
        asset = result.assets[0]
        real = await _real_price(studio, kind, user, result.operation.prompt)
        print(
            f"{step:9} {asset.width}x{asset.height} {asset.media_type.value:10} "
            f"charged {format_usd(result.charged):>7}  (real provider: {real})"
        )
        print(f"          {assets.location(asset)}")
    total = sum(result.charged for _, _, result in steps)
    print(f"\ntotal charged: {format_usd(total)} (offline models are free)")
    usage = (await studio.usage.execute(user)).unwrap()
    used = {row.name: row.used for row in usage.rows}
    print(
        f"usage this period: {used['image-generation']} generation, "
        f"{used['image-edit']} edit, {used['upscale']} upscale"
    )
    await studio.aclose()


if __name__ == "__main__":
    asyncio.run(main())
