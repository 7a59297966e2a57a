"""Tool results in the HTTP API's own bodies (`OperationOut`, `LibraryAssetOut`...), each asset's
`url` a signed link: an agent (or whoever it hands the link to) fetches it with no key."""

from __future__ import annotations

from imagestudio.application.operation_views import OperationView
from imagestudio.domain.asset import Asset
from imagestudio.domain.operation import ImageOperation
from imagestudio.entrypoints.http.asset_schemas import LibraryAssetOut
from imagestudio.entrypoints.http.operation_schemas import standing
from imagestudio.entrypoints.http.schemas import AssetOut, OperationOut
from imagestudio.entrypoints.mcp.acting import Acting


def asset_out(acting: Acting, asset: Asset) -> AssetOut:
    return AssetOut.of(asset, acting.links.to(asset.owner, asset.id))


def library_asset_out(acting: Acting, asset: Asset) -> LibraryAssetOut:
    return LibraryAssetOut.of(asset, acting.links.to(asset.owner, asset.id))


async def operation_out(
    acting: Acting,
    operation: ImageOperation,
    failed_outputs: tuple[str, ...] = (),
    view: OperationView | None = None,
    assets: tuple[Asset, ...] | None = None,
) -> OperationOut:
    """The operation with its assets (looked up when not given), and, from `view`, what it
    still holds of the plan and what it waits for."""
    if assets is None:
        found = []
        for asset_id in operation.asset_ids:
            asset = await acting.studio.container.assets().describe(operation.user_id, asset_id)
            if asset is not None:
                found.append(asset)
        assets = tuple(found)
    out = OperationOut.of(operation, [asset_out(acting, a) for a in assets], failed_outputs)
    return out if view is None else out.model_copy(update=standing(view))
