"""The options and arguments the commands that run an operation share."""

from __future__ import annotations

from typing import Annotated

import typer

from imagestudio.domain.seed import MAX_SEED

Model = Annotated[str | None, typer.Option("--model", "-m", help="Model id, or 'auto'.")]
User = Annotated[
    str | None, typer.Option("--user", "-u", help="User id (default: the local user).")
]
Seed = Annotated[
    int | None,
    typer.Option("--seed", help=f"Seed for reproducible output, 0 to {MAX_SEED}."),
]
Key = Annotated[
    str | None,
    typer.Option("--idempotency-key", help="Retries with this key replay the first outcome."),
]
Image = Annotated[str, typer.Argument(help="An image file, or asset:<id> for a stored asset.")]
Params = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        help="A model field as name=value, repeatable (search_prompt=cat, left=200, "
        "creativity=0.4, style_preset=anime); numbers and true/false are typed.",
    ),
]
