"""Storing an operation's outputs: bytes first, under ids derived from the operation.

Asset ids are (operation id, output index), so storing the same outputs again — a settlement
that was interrupted and is done over by reconciliation — overwrites instead of duplicating.
The rows are written by the settlement itself; bytes that no row ever names (the settlement
never committed) are `storage gc`'s.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from returns.result import Failure, Result, Success

from imagestudio.application.glb_vertices import glb_vertex_count
from imagestudio.application.ports.asset_bytes import AssetBytes
from imagestudio.application.ports.clock import Clock
from imagestudio.application.ports.image_inspector import ImageInspector
from imagestudio.application.ports.provider import Artifact
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import OutputLost
from imagestudio.domain.media import MediaType
from imagestudio.domain.money import Micros
from imagestudio.domain.operation import ImageOperation

log = logging.getLogger(__name__)

STORE_ATTEMPTS = 3
MEASURE_MAX_PIXELS = 1 << 30
"""Outputs come from the provider we paid, not from a caller: measure any size it returns."""


def asset_id_for(operation_id: str, index: int) -> str:
    """The id of the operation's output number `index` (from 0): the same on every attempt."""
    return f"ast_{operation_id.removeprefix('op_')}_{index + 1}"


def measured(artifact: Artifact, inspector: ImageInspector) -> Artifact:
    """An image output with its real size: price and asset never rely on a missing one."""
    if not artifact.media_type.is_image or (artifact.width and artifact.height):
        return artifact
    info = inspector.inspect(artifact.data, "output", MEASURE_MAX_PIXELS)
    if isinstance(info, Failure):
        return artifact  # priced as asked: the best remaining guess
    found = info.unwrap()
    return replace(artifact, width=found.width, height=found.height)


def describe(
    operation: ImageOperation,
    artifacts: Sequence[Artifact],
    charge: Micros,
    clock: Clock,
) -> tuple[Asset, ...]:
    """The asset row of each output, its share of the charge included."""
    now = clock.now()
    return tuple(
        asset_row(
            operation,
            index,
            artifact.media_type,
            artifact.data,
            (artifact.width, artifact.height),
            now,
            cost=share,
            duration_seconds=artifact.duration_seconds,
        )
        for index, (artifact, share) in enumerate(
            zip(artifacts, split(charge, len(artifacts)), strict=True)
        )
    )


def asset_row(
    operation: ImageOperation,
    index: int,
    media_type: MediaType,
    data: bytes,
    size: tuple[int | None, int | None],
    at: datetime,
    *,
    cost: Micros = 0,
    duration_seconds: float | None = None,
    tags: frozenset[str] = frozenset(),
) -> Asset:
    """The asset row of `operation`'s output number `index` (provider or local work alike)."""
    width, height = size
    return Asset(
        id=asset_id_for(operation.id, index),
        owner=operation.user_id,
        operation_id=operation.id,
        model_id=operation.model_id,
        kind=operation.kind,
        media_type=media_type,
        size_bytes=len(data),
        created_at=at,
        width=width,
        height=height,
        duration_seconds=duration_seconds,
        prompt=operation.prompt,
        cost=cost,
        vertex_count=glb_vertex_count(data) if media_type is MediaType.GLB else None,
        derived_from=operation.input_asset_ids,
        tags=tags,
    )


async def store_bytes(
    content: AssetBytes, assets: Sequence[Asset], artifacts: Sequence[Artifact]
) -> Result[None, OutputLost]:
    """Write every output's bytes (retried); on final failure, remove what was written."""
    written: list[Asset] = []
    for asset, artifact in zip(assets, artifacts, strict=True):
        try:
            await _with_retries(content, asset, artifact.data)
        except Exception as error:
            await _remove(content, written)
            return Failure(OutputLost(detail=said(error)))
        written.append(asset)
    return Success(None)


async def _with_retries(content: AssetBytes, asset: Asset, data: bytes) -> None:
    for attempt in range(1, STORE_ATTEMPTS + 1):
        try:
            await content.put(asset.owner, asset.id, asset.media_type, data)
            return
        except Exception as error:
            if attempt == STORE_ATTEMPTS:
                raise
            # One line: storage that is down is expected trouble, and its client's own
            # traceback (an S3 client's is dozens of lines) tells the operator nothing more.
            log.warning(
                "storing asset %s failed (attempt %d: %s); retrying", asset.id, attempt, said(error)
            )


async def _remove(content: AssetBytes, assets: Sequence[Asset]) -> None:
    """No orphans: what this operation already stored goes too, as far as storage lets us."""
    for asset in assets:
        try:
            await content.remove(asset.owner, asset.id, asset.media_type)
        except Exception as error:
            # Storage is failing (that is why we are here): `storage gc` takes it later.
            log.warning(
                "the bytes of lost output %s stay until `storage gc`: %s", asset.id, said(error)
            )


async def stored_outputs(
    content: AssetBytes, operation: ImageOperation, expected: MediaType
) -> tuple[Artifact, ...]:
    """The outputs of `operation` whose bytes were stored before its process died (bytes are
    written only once every call answered), in order, up to the first one missing.

    Their media type is not recorded anywhere else: the model's own output type is tried
    first, then every other (this runs in recovery only)."""
    found: list[Artifact] = []
    kinds = (expected, *(media for media in MediaType if media is not expected))
    for index in range(operation.outputs_requested):
        asset_id = asset_id_for(operation.id, index)
        for media_type in kinds:
            data = await content.get(operation.user_id, asset_id, media_type)
            if data is not None:
                found.append(Artifact(data=data, media_type=media_type))
                break
        else:
            break
    return tuple(found)


def split(total: Micros, parts: int) -> list[Micros]:
    """`total` in `parts` shares that differ by at most one micro-dollar and add up to it."""
    share, remainder = divmod(total, parts)
    return [share + (1 if index < remainder else 0) for index in range(parts)]


def said(error: Exception) -> str:
    """An error in one line: its kind and the first line of what it says."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__
