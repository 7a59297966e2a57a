"""`make demo`: an offline generate → edit → upscale → Instagram square (a free local
operation), the asset library (lineage, a tag, a prompt search), then the real adapters.

Part one uses the offline provider; part two starts the provider sandbox (a local server that
speaks the WaveSpeed and Stability contracts), runs real adapter calls through it — a Stability
generation, a WaveSpeed batch, an asynchronous creative upscale, `auto` routing and a moderated
prompt that costs nothing — and stops it. No key and no network are needed.

It uses only the Python API, the way an embedding application would, and can run again and
again: each run adds new assets, and on the default `local` profile the usage it prints grows
from run to run (kept in the SQLite file in the data directory). It ends with the command that
lists that library from the CLI (`make demo`'s data directory is not the CLI's default one).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from returns.result import Failure, Result

from imagestudio.adapters.sandbox.config import SandboxConfig
from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.application.requests import ImageInput, OperationRequest, OperationResult
from imagestudio.application.use_cases.edit import EditRequest
from imagestudio.application.use_cases.generate import GenerateRequest
from imagestudio.application.use_cases.upscale import UpscaleRequest
from imagestudio.domain.asset_query import AssetQuery, Relabel
from imagestudio.domain.errors import OperationError
from imagestudio.domain.money import format_usd
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.demo_follow_up import continue_lines
from imagestudio.entrypoints.settings import Profile


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

    square = _unwrap(
        "social",
        await studio.social.execute(
            user, ImageInput(asset_id=upscaled.assets[0].id), "instagram/square"
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
    made = square.assets[0]
    print(
        f"social    {made.width}x{made.height} {made.media_type.value:10} "
        f"charged {format_usd(square.charged):>7}  (instagram/square, done here: always free)"
    )
    print(f"          {assets.location(made)}")
    total = sum(result.charged for _, _, result in steps)
    print(f"\ntotal charged: {format_usd(total)} (offline models are free)")
    await studio.label_asset.execute(user, made.id, Relabel(add_tags=frozenset({"demo"})))
    lineage = (await studio.show_asset.execute(user, made.id)).unwrap().lineage
    chain = " <- ".join(
        f"{step.asset.kind if step.asset else 'deleted'} {step.asset_id}" for step in lineage
    )
    print(f"lineage of the square: {chain}")
    found = await studio.list_assets.execute(
        user, limit=200, query=AssetQuery(text="Lighthouse watercolour")
    )
    print(
        f"library: {len(found.unwrap().items)} asset(s) match 'lighthouse watercolour' "
        "(`imagestudio assets search`), the square is tagged 'demo'"
    )
    usage = (await studio.usage.execute(user)).unwrap()
    used = {row.name: row.used for row in usage.rows}
    print(
        f"usage this period: {used['image-generation']} generation, "
        f"{used['image-edit']} edit, {used['upscale']} upscale"
    )
    settings = studio.container.settings()
    data_dir = settings.data_dir
    picture = (await studio.get_asset.execute(user, generated.assets[0].id)).unwrap().data
    await studio.aclose()
    await through_the_sandbox(data_dir, picture)
    print()
    for line in continue_lines(settings):
        print(line)


async def through_the_sandbox(data_dir: Path, picture: bytes) -> None:
    """The real WaveSpeed and Stability adapters, end to end, against the local sandbox (the
    `sandbox` profile keeps its own books, in `<data_dir>/sandbox`)."""
    print("\nthrough the real adapters, against the provider sandbox (no key, no network):")
    with RunningSandbox(SandboxConfig(latency_seconds=0.3)) as sandbox:
        studio = await ImageStudio.connect(
            profile=Profile.SANDBOX, sandbox_url=sandbox.base_url, data_dir=data_dir
        )
        user = studio.container.settings().default_user
        steps: list[tuple[str, Result[OperationResult, OperationError]]] = [
            (
                "stability/generate-core",
                await studio.generate.execute(
                    GenerateRequest(
                        user_id=user, prompt="a harbour at dawn", model_id="stability/generate-core"
                    )
                ),
            ),
            (
                "wavespeed/flux-dev x2",
                await studio.generate.execute(
                    GenerateRequest(
                        user_id=user,
                        prompt="a red kite over dunes",
                        model_id="wavespeed/flux-dev",
                        width=512,
                        height=512,
                        variations=2,
                    )
                ),
            ),
            (
                "stability/upscale-creative",
                await studio.upscale.execute(
                    UpscaleRequest(
                        user_id=user,
                        image=ImageInput(data=picture),
                        scale=2,
                        prompt="crisper",
                        model_id="stability/upscale-creative",
                    )
                ),
            ),
            (
                "auto",
                await studio.generate.execute(
                    GenerateRequest(user_id=user, prompt="a lighthouse, auto-routed")
                ),
            ),
            (
                "moderated prompt",
                await studio.generate.execute(
                    GenerateRequest(
                        user_id=user, prompt="something forbidden", model_id="wavespeed/flux-dev"
                    )
                ),
            ),
        ]
        for label, result in steps:
            if isinstance(result, Failure):
                print(f"  {label:28} refused: {result.failure().message}")
                continue
            done = result.unwrap()
            sizes = ", ".join(f"{a.width}x{a.height}" for a in done.assets)
            print(
                f"  {label:28} {done.operation.model_id:28} {sizes:22} "
                f"charged {format_usd(done.charged)}"
            )
        book = sandbox.state.book
        print(
            f"  the sandbox billed {len(book.billed())} tasks; balances left: "
            f"WaveSpeed ${book.balance('wavespeed')}, Stability {book.balance('stability')} credits"
        )
        await studio.aclose()


if __name__ == "__main__":
    asyncio.run(main())
