"""How the `assets` commands show assets: as JSON, a table, or one asset's fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from imagestudio.entrypoints.cli.output import line, money, table

if TYPE_CHECKING:
    from imagestudio.application.use_cases.list_assets import AssetPage
    from imagestudio.application.use_cases.show_asset import AssetDetails
    from imagestudio.domain.asset import Asset


def asset_json(asset: Asset) -> dict[str, Any]:
    return {
        "id": asset.id,
        "kind": asset.kind.value,
        "model": asset.model_id,
        "operation_id": asset.operation_id,
        "media_type": asset.media_type.value,
        "size_bytes": asset.size_bytes,
        "width": asset.width,
        "height": asset.height,
        "duration_seconds": asset.duration_seconds,
        "vertex_count": asset.vertex_count,
        "prompt": asset.prompt,
        "cost_micros": asset.cost,
        "cost_usd": money(asset.cost),
        "created_at": asset.created_at.isoformat(),
        "tags": sorted(asset.tags),
        "favourite": asset.favourite,
        "collections": sorted(asset.collections),
        "derived_from": list(asset.derived_from),
    }


def details_json(details: AssetDetails) -> dict[str, Any]:
    return {
        **asset_json(details.asset),
        "location": details.location,
        "lineage": [
            {
                "id": step.asset_id,
                "depth": step.depth,
                "deleted": step.asset is None,
                **(
                    {}
                    if step.asset is None
                    else {"kind": step.asset.kind.value, "model": step.asset.model_id}
                ),
            }
            for step in details.lineage
        ],
    }


def print_page(page: AssetPage) -> None:
    table(
        "assets",
        ["id", "created", "kind", "model", "type", "size", "cost", "tags", "prompt"],
        [
            (
                a.id,
                a.created_at.strftime("%Y-%m-%d %H:%M"),
                a.kind.value,
                a.model_id,
                a.media_type.extension,
                f"{a.width}x{a.height}" if a.width and a.height else "-",
                money(a.cost),
                ", ".join(sorted(a.tags)) + (" ★" if a.favourite else ""),
                a.prompt[:40],
            )
            for a in page.items
        ],
        prose=("created", "tags", "prompt"),
    )
    if page.next_cursor is not None:
        line(f"more: --cursor {page.next_cursor}")


def print_labels(asset: Asset) -> None:
    typer.echo(
        f"{asset.id}: tags {', '.join(sorted(asset.tags)) or '-'}; "
        f"collections {', '.join(sorted(asset.collections)) or '-'}; "
        f"favourite {'yes' if asset.favourite else 'no'}"
    )


def print_asset(details: AssetDetails) -> None:
    asset = details.asset
    fields = asset_json(asset)
    for name in ("id", "kind", "model", "operation_id", "media_type", "size_bytes", "created_at"):
        typer.echo(f"{name:>14}: {fields[name]}")
    if asset.width and asset.height:
        typer.echo(f"{'size':>14}: {asset.width}x{asset.height}")
    for name in ("duration_seconds", "vertex_count"):
        if fields[name] is not None:
            typer.echo(f"{name:>14}: {fields[name]}")
    typer.echo(f"{'cost':>14}: {money(asset.cost)}")
    typer.echo(f"{'prompt':>14}: {asset.prompt}")
    typer.echo(f"{'tags':>14}: {', '.join(sorted(asset.tags)) or '-'}")
    typer.echo(f"{'collections':>14}: {', '.join(sorted(asset.collections)) or '-'}")
    typer.echo(f"{'favourite':>14}: {'yes' if asset.favourite else 'no'}")
    typer.echo(f"{'location':>14}: {details.location}")
    for step in details.lineage:
        made = "deleted" if step.asset is None else f"{step.asset.kind} by {step.asset.model_id}"
        typer.echo(f"{'from':>14}: {'  ' * (step.depth - 1)}{step.asset_id} ({made})")
