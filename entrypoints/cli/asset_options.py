"""The options and arguments the `assets` commands share."""

from __future__ import annotations

from typing import Annotated

import typer

from imagestudio.domain.operation_kind import OperationKind

User = Annotated[
    str | None, typer.Option("--user", "-u", help="User id (default: the local user).")
]
AssetId = Annotated[str, typer.Argument(metavar="ID", help="The asset's id.")]
Kind = Annotated[OperationKind | None, typer.Option("--kind", help="Only this operation kind.")]
ModelId = Annotated[str | None, typer.Option("--model", "-m", help="Only this model's outputs.")]
Tag = Annotated[str | None, typer.Option("--tag", help="Only assets with this tag.")]
Collection = Annotated[str | None, typer.Option("--collection", help="Only this collection.")]
Favourite = Annotated[
    bool | None, typer.Option("--favourite/--not-favourite", help="Only (not) favourites.")
]
Since = Annotated[
    str | None, typer.Option("--since", help="Created at or after (2026-11-01 or an ISO time).")
]
Before = Annotated[str | None, typer.Option("--before", help="Created before (date or time).")]
Limit = Annotated[int, typer.Option("--limit", help="Assets per page, 1-200.")]
Cursor = Annotated[str | None, typer.Option("--cursor", help="A previous page's next cursor.")]
