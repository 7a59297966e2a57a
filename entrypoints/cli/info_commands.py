"""The CLI commands that only read: quote, models."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from imagestudio.domain.money import format_usd
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.cli.operation_inputs import by_file_name, images_or_fail
from imagestudio.entrypoints.cli.options import Json
from imagestudio.entrypoints.cli.output import fail, print_json, table
from imagestudio.entrypoints.cli.plan_fit import show_fit
from imagestudio.entrypoints.cli.sizes import parse_size
from imagestudio.entrypoints.cli.studio import studio, user_or_default


def register(app: typer.Typer) -> None:
    app.command()(quote)
    app.command()(models)


def quote(
    kind: Annotated[OperationKind, typer.Argument(help="The operation kind.")],
    model: Annotated[str | None, typer.Option("--model", "-m")] = None,
    size: Annotated[str | None, typer.Option("--size", help="WxH.")] = None,
    variations: Annotated[int, typer.Option("--variations", "-n")] = 1,
    image: Annotated[
        list[str] | None,
        typer.Option("--image", help="Input image(s), if the price depends on them."),
    ] = None,
    duration: Annotated[int | None, typer.Option("--duration")] = None,
    resolution: Annotated[str | None, typer.Option("--resolution")] = None,
    mode: Annotated[str | None, typer.Option("--mode")] = None,
    prompt: Annotated[
        str, typer.Option("--prompt", help="Checked against the model's limit.")
    ] = "",
    user: Annotated[str | None, typer.Option("--user", "-u")] = None,
    json: Json = False,
) -> None:
    """Price a request before running it (what running it would reserve), and show how it fits
    the user's plan now: what it would use, what would remain, whose limit would refuse it."""
    from returns.result import Failure

    from imagestudio.application.requests import OperationRequest
    from imagestudio.entrypoints.http.fit_schemas import PlanFitOut

    width, height = parse_size(size)
    parameters: dict[str, str | int] = {}
    for name, value in (("duration", duration), ("resolution", resolution), ("mode", mode)):
        if value is not None:
            parameters[name] = value
    inputs = [(path, "image") for path in image or []]
    images = images_or_fail(inputs, json)
    request = OperationRequest(
        user_id=user_or_default(user),
        kind=kind,
        model_id=model,
        prompt=prompt,
        width=width,
        height=height,
        outputs=variations,
        images=tuple(images),
        parameters=parameters,
    )
    result = asyncio.run(studio().quote.execute(request))
    if isinstance(result, Failure):
        fail(by_file_name(result.failure(), inputs), json)
    priced = result.unwrap()
    if json:
        print_json(
            {
                "model": priced.model_id,
                "provider": priced.provider,
                "amount_micros": priced.amount,
                "amount_usd": format_usd(priced.amount),
                "price_source": priced.price_source,
                "fit": PlanFitOut.of(priced.fit).model_dump(mode="json"),
            }
        )
        return
    estimate = " (estimated price)" if priced.price_source == "estimate" else ""
    typer.echo(
        f"{kind} with {priced.model_id} ({priced.provider}): {format_usd(priced.amount)}{estimate}"
    )
    show_fit(PlanFitOut.of(priced.fit))


def models(
    kind: Annotated[OperationKind | None, typer.Option("--kind", "-k")] = None,
    json: Json = False,
) -> None:
    """List the models in the catalog, their prices, and whether each is usable right now."""
    listings = asyncio.run(studio().list_models.execute(kind))
    if json:
        print_json(
            [
                {
                    "id": item.model.id,
                    "provider": item.model.provider,
                    "kinds": sorted(k.value for k in item.model.kinds),
                    "output": item.model.output.value,
                    "price_of_one_micros": item.price_of_one,
                    "price_of_one_usd": format_usd(item.price_of_one),
                    "price_source": item.model.price_source,
                    "modes": list(item.model.modes),
                    "tier": item.model.tier.value,
                    "available": item.available,
                    "unavailable_reason": item.unavailable_reason,
                }
                for item in listings
            ]
        )
        return
    table(
        "models",
        ["id", "provider", "kinds", "price of one", "price source", "usable now"],
        [
            (
                item.model.id,
                item.model.provider,
                ", ".join(sorted(k.value for k in item.model.kinds)),
                format_usd(item.price_of_one),
                item.model.price_source,
                "yes" if item.available else f"no: {item.unavailable_reason}",
            )
            for item in listings
        ],
        prose=("kinds", "usable now"),
    )
