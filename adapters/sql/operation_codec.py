"""Operations and assets as JSON-ready dicts: the one codec the operation store and stored
outcomes share.

`operation_row`/`operation_from_row` split an operation into the `operations` table's columns
(what the database queries) and its `body` (JSON text of the rest).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from imagestudio.domain.asset import Asset
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_event import OperationEventKind
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.webhook import WebhookSubscription

_COLUMNS = (
    "id",
    "user_id",
    "kind",
    "model_id",
    "provider",
    "status",
    "reservation_id",
    "idempotency_key",
    "charged",
    "error",
)
_TIMES = ("created_at", "updated_at")
ROW_COLUMNS = (*_COLUMNS, *_TIMES, "body", "follow_up")
"""The keys of `operation_row`: every column of `operations` but the lease's."""


_encode = json.JSONEncoder(sort_keys=True).encode
"""`json.dumps(…, sort_keys=True)`, its encoder made once, not on every call."""


def operation_to_dict(operation: ImageOperation) -> dict[str, Any]:
    """Every field of the operation, in JSON types (datetimes as ISO 8601 text)."""
    return {
        "id": operation.id,
        "user_id": operation.user_id,
        "kind": operation.kind.value,
        "model_id": operation.model_id,
        "provider": operation.provider,
        "prompt": operation.prompt,
        "input_digests": list(operation.input_digests),
        "parameters": dict(operation.parameters),
        "outputs_requested": operation.outputs_requested,
        "created_at": operation.created_at.isoformat(),
        "updated_at": operation.updated_at.isoformat(),
        "status": operation.status.value,
        "reservation_id": operation.reservation_id,
        "provider_task_ids": list(operation.provider_task_ids),
        "asset_ids": list(operation.asset_ids),
        "charged": operation.charged,
        "error": operation.error,
        "idempotency_key": operation.idempotency_key,
        "input_asset_ids": list(operation.input_asset_ids),
        "output_size": None if operation.output_size is None else list(operation.output_size),
        "continued_by": operation.continued_by,
        "webhook": _webhook_to_dict(operation.webhook),
    }


def operation_from_dict(data: Mapping[str, Any]) -> ImageOperation:
    return ImageOperation(
        id=data["id"],
        user_id=data["user_id"],
        kind=OperationKind(data["kind"]),
        model_id=data["model_id"],
        provider=data["provider"],
        prompt=data["prompt"],
        input_digests=tuple(data["input_digests"]),
        parameters=dict(data["parameters"]),
        outputs_requested=data["outputs_requested"],
        created_at=datetime.fromisoformat(data["created_at"]),
        updated_at=datetime.fromisoformat(data["updated_at"]),
        status=OperationStatus(data["status"]),
        reservation_id=data["reservation_id"],
        provider_task_ids=tuple(data["provider_task_ids"]),
        asset_ids=tuple(data["asset_ids"]),
        charged=data["charged"],
        error=data["error"],
        idempotency_key=data["idempotency_key"],
        input_asset_ids=tuple(data["input_asset_ids"]),
        # Rows written before the field existed have none.
        output_size=_size(data.get("output_size")),
        continued_by=data.get("continued_by"),
        webhook=_webhook(data.get("webhook")),
    )


def _webhook_to_dict(webhook: WebhookSubscription | None) -> dict[str, Any] | None:
    if webhook is None:
        return None
    return {"url": webhook.url, "events": sorted(kind.value for kind in webhook.events)}


def _webhook(value: Any) -> WebhookSubscription | None:
    if value is None:
        return None
    events = frozenset(OperationEventKind(kind) for kind in value["events"])
    return WebhookSubscription(url=value["url"], events=events)


def _size(value: Any) -> tuple[int, int] | None:
    return None if value is None else (int(value[0]), int(value[1]))


def operation_row(operation: ImageOperation) -> dict[str, Any]:
    """The `operations` columns for this operation (lease columns are not the operation's)."""
    body = operation_to_dict(operation)
    row: dict[str, Any] = {name: body.pop(name) for name in _COLUMNS}
    for name in _TIMES:
        del body[name]
        row[name] = getattr(operation, name)
    row["body"] = _encode(body)
    # A final failure that named the next provider's operation: listed for the sweep until it
    # sees that operation come (`follow_up_seen`) or ends the request without it.
    row["follow_up"] = operation.continued_by if operation.status.is_final else None
    return row


def operation_from_row(row: Mapping[Any, Any]) -> ImageOperation:
    """The operation from a row of `operations` (a row's `_mapping`)."""
    data: dict[str, Any] = json.loads(row["body"])
    data.update({name: row[name] for name in _COLUMNS})
    data.update({name: row[name].isoformat() for name in _TIMES})
    return operation_from_dict(data)


def asset_to_dict(asset: Asset) -> dict[str, Any]:
    return {
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
        "vertex_count": asset.vertex_count,
        "derived_from": list(asset.derived_from),
        "tags": sorted(asset.tags),
        "favourite": asset.favourite,
        "collections": sorted(asset.collections),
    }


def asset_from_dict(data: Mapping[str, Any]) -> Asset:
    return Asset(
        id=data["id"],
        owner=data["owner"],
        operation_id=data["operation_id"],
        model_id=data["model_id"],
        kind=OperationKind(data["kind"]),
        media_type=MediaType(data["media_type"]),
        size_bytes=data["size_bytes"],
        created_at=datetime.fromisoformat(data["created_at"]),
        width=data["width"],
        height=data["height"],
        duration_seconds=data["duration_seconds"],
        prompt=data["prompt"],
        cost=data["cost"],
        # Outcomes stored before lineage existed have neither.
        vertex_count=data.get("vertex_count"),
        derived_from=tuple(data.get("derived_from", ())),
        tags=frozenset(data.get("tags", ())),
        favourite=bool(data.get("favourite", False)),
        collections=frozenset(data.get("collections", ())),
    )
