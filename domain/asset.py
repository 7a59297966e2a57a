"""A stored result of an operation, owned by one user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_kind import OperationKind


@dataclass(frozen=True, slots=True, kw_only=True)
class Asset:
    id: str
    owner: str
    operation_id: str
    model_id: str
    kind: OperationKind
    media_type: MediaType
    size_bytes: int
    created_at: datetime
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    prompt: str = ""
    cost: int = 0
    """The user's charge for this asset's share of its operation, from the ledger."""
