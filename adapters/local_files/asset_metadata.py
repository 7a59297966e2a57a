"""An asset's description as JSON: every field, media type and kind by value, times in ISO."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from imagestudio.domain.asset import Asset
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_kind import OperationKind


def asset_to_json(asset: Asset) -> bytes:
    fields: dict[str, Any] = {
        "id": asset.id,
        "owner": asset.owner,
        "operation_id": asset.operation_id,
        "model_id": asset.model_id,
        "kind": asset.kind.value,
        "media_type": asset.media_type.value,
        "size_bytes": asset.size_bytes,
        "created_at": asset.created_at.isoformat(),
        "width": asset.width,
        "height": asset.height,
        "duration_seconds": asset.duration_seconds,
        "prompt": asset.prompt,
        "cost": asset.cost,
    }
    return json.dumps(fields, ensure_ascii=False, indent=2).encode()


def asset_from_json(text: bytes | str) -> Asset:
    """The asset described by `text`; ValueError when it is not a complete description."""
    try:
        fields = json.loads(text)
        return Asset(
            id=str(fields["id"]),
            owner=str(fields["owner"]),
            operation_id=str(fields["operation_id"]),
            model_id=str(fields["model_id"]),
            kind=OperationKind(fields["kind"]),
            media_type=MediaType(fields["media_type"]),
            size_bytes=int(fields["size_bytes"]),
            created_at=datetime.fromisoformat(fields["created_at"]),
            width=_optional_int(fields["width"]),
            height=_optional_int(fields["height"]),
            duration_seconds=_optional_float(fields["duration_seconds"]),
            prompt=str(fields["prompt"]),
            cost=int(fields["cost"]),
        )
    except (KeyError, TypeError) as error:
        raise ValueError(f"not an asset description: {error!r}") from error


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)
