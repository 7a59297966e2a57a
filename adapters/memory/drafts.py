"""A memory unit's drafts of the stores: each made when a step first touches its store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from imagestudio.adapters.memory.asset_library import LibraryDraft
from imagestudio.adapters.memory.idempotency import KeysDraft
from imagestudio.adapters.memory.ledger import LedgerDraft
from imagestudio.adapters.memory.operation_store import OperationsDraft
from imagestudio.adapters.memory.quota_draft import QuotaDraft
from imagestudio.adapters.memory.webhooks import OutboxDraft
from imagestudio.application.operation_ports import StoredOutcome


@dataclass(frozen=True, slots=True)
class DraftMakers:
    """How to make each store's draft (its `draft` method)."""

    quota: Callable[[], QuotaDraft]
    ledger: Callable[[], LedgerDraft]
    operations: Callable[[], OperationsDraft]
    keys: Callable[[], KeysDraft[StoredOutcome]]
    assets: Callable[[], LibraryDraft]
    outbox: Callable[[], OutboxDraft]


class Drafts:
    """Every store of a unit, as it would leave them. A store's draft is made when first used:
    most steps touch one or two stores, and a unit makes fresh drafts for every read and again
    at its commit."""

    __slots__ = ("_assets", "_keys", "_ledger", "_makers", "_operations", "_outbox", "_quota")

    def __init__(self, makers: DraftMakers) -> None:
        self._makers = makers
        self._quota: QuotaDraft | None = None
        self._ledger: LedgerDraft | None = None
        self._operations: OperationsDraft | None = None
        self._keys: KeysDraft[StoredOutcome] | None = None
        self._assets: LibraryDraft | None = None
        self._outbox: OutboxDraft | None = None

    @property
    def quota(self) -> QuotaDraft:
        if self._quota is None:
            self._quota = self._makers.quota()
        return self._quota

    @property
    def ledger(self) -> LedgerDraft:
        if self._ledger is None:
            self._ledger = self._makers.ledger()
        return self._ledger

    @property
    def operations(self) -> OperationsDraft:
        if self._operations is None:
            self._operations = self._makers.operations()
        return self._operations

    @property
    def keys(self) -> KeysDraft[StoredOutcome]:
        if self._keys is None:
            self._keys = self._makers.keys()
        return self._keys

    @property
    def assets(self) -> LibraryDraft:
        if self._assets is None:
            self._assets = self._makers.assets()
        return self._assets

    @property
    def outbox(self) -> OutboxDraft:
        if self._outbox is None:
            self._outbox = self._makers.outbox()
        return self._outbox

    def merge(self) -> None:
        """Merge the drafts made, store by store (a store never drafted has nothing to merge)."""
        for draft in (self._quota, self._ledger, self._operations, self._keys, self._assets):
            if draft is not None:
                draft.merge()
        if self._outbox is not None:
            self._outbox.merge()
