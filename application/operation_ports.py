"""The ports one operation touches, bundled so interactors take one argument."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from returns.result import Result

from imagestudio.application.asset_vault import AssetVault
from imagestudio.application.ports.catalog import ModelCatalog
from imagestudio.application.ports.clock import Clock, IdGenerator
from imagestudio.application.ports.image_inspector import ImageInspector
from imagestudio.application.ports.operation_leases import OperationLeases
from imagestudio.application.ports.operation_store import OperationStore
from imagestudio.application.ports.provider import ProviderDirectory
from imagestudio.application.ports.quota_store import QuotaStore
from imagestudio.application.ports.webhooks import DestinationCheck
from imagestudio.application.progress_notes import ProgressNotes

if TYPE_CHECKING:
    from imagestudio.application.ports.unit_of_work import UnitOfWork
from imagestudio.application.requests import OperationResult
from imagestudio.application.routing import RoutingRules
from imagestudio.domain.errors import OperationError

StoredOutcome = Result[OperationResult, OperationError]

DEFAULT_LEASE = timedelta(seconds=60)


@dataclass(frozen=True, slots=True, kw_only=True)
class LeasePolicy:
    """Who this process is to the lease table, and how long a lease lasts without renewal."""

    holder: str
    ttl: timedelta = DEFAULT_LEASE

    @property
    def renew_every(self) -> float:
        return self.ttl.total_seconds() / 3


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationPorts:
    catalog: ModelCatalog
    providers: ProviderDirectory
    quota: QuotaStore
    assets: AssetVault
    operations: OperationStore
    leases: OperationLeases
    unit_of_work: UnitOfWork
    """The money path's writes (quota, ledger, operations, idempotency keys, asset rows), each
    step in one transaction; the store ports above are for reads and what is not the money path."""
    inspector: ImageInspector
    clock: Clock
    ids: IdGenerator
    destinations: DestinationCheck
    """Whether a request's webhook may receive deliveries, asked before anything is reserved."""
    routing: RoutingRules = field(default_factory=RoutingRules)
    """How `auto` picks among enabled providers' models, and the fallback order."""
    progress: ProgressNotes = field(default_factory=ProgressNotes)
    """What providers say of running operations' progress (in this process, never stored)."""
