"""The use cases wired to the in-memory adapters, a scripted provider and a fixed clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fakes import (
    MODELS,
    NOW,
    OPERATOR_BUDGET,
    PERIOD,
    TEST_PLANS,
    USERS,
    ListedDestinations,
    RecordingUnitOfWork,
    ScriptedProvider,
)

from imagestudio.adapters.images.pillow_inspector import PillowImageInspector
from imagestudio.adapters.memory.asset_bytes import InMemoryAssetBytes
from imagestudio.adapters.memory.asset_library import InMemoryAssetLibrary
from imagestudio.adapters.memory.catalog import InMemoryModelCatalog
from imagestudio.adapters.memory.idempotency import InMemoryIdempotencyStore
from imagestudio.adapters.memory.ledger import InMemoryLedger
from imagestudio.adapters.memory.operation_store import InMemoryOperationStore
from imagestudio.adapters.memory.quota_store import InMemoryQuotaStore
from imagestudio.adapters.memory.unit_of_work import InMemoryUnitOfWork
from imagestudio.adapters.provider_directory import StaticProviderDirectory
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.adapters.system.ids import SequentialIdGenerator
from imagestudio.application.asset_vault import AssetVault
from imagestudio.application.operation_ports import OperationPorts, StoredOutcome
from imagestudio.application.ports.asset_bytes import AssetBytes
from imagestudio.application.routing import RoutingRules
from imagestudio.application.use_cases.control import ControlImage
from imagestudio.application.use_cases.edit import EditImage
from imagestudio.application.use_cases.face_swap import SwapFace
from imagestudio.application.use_cases.generate import GenerateImages
from imagestudio.application.use_cases.quote import QuotePrice
from imagestudio.application.use_cases.run_operation import RunOperation
from imagestudio.application.use_cases.to_3d import ImageTo3D
from imagestudio.application.use_cases.to_video import ImageToVideo
from imagestudio.application.use_cases.upscale import UpscaleImage
from imagestudio.application.use_cases.usage import ReadUsage
from imagestudio.domain.limit import Limit
from imagestudio.domain.model import Model
from imagestudio.domain.operation import ImageOperation
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import OperatorBudget
from imagestudio.domain.quota import (
    CONCURRENCY,
    LIVE,
    SPEND,
    Counter,
    DimensionKey,
    Scope,
    calls_dimension,
)
from imagestudio.domain.reference_plans import REFERENCE_PLANS
from imagestudio.domain.usage_record import UsageRecord


@dataclass(slots=True, kw_only=True)
class Studio:
    """Every port of one test, the use cases on top, and the questions tests ask of them."""

    ports: OperationPorts
    provider: ScriptedProvider
    quota: InMemoryQuotaStore
    ledger: InMemoryLedger
    keys: InMemoryIdempotencyStore[StoredOutcome]
    assets: AssetVault
    operations: RecordingUnitOfWork
    clock: FixedClock
    run: RunOperation
    destinations: ListedDestinations

    @property
    def generate(self) -> GenerateImages:
        return GenerateImages(self.run)

    @property
    def edit(self) -> EditImage:
        return EditImage(self.run)

    @property
    def upscale(self) -> UpscaleImage:
        return UpscaleImage(self.run)

    @property
    def control(self) -> ControlImage:
        return ControlImage(self.run)

    @property
    def to_3d(self) -> ImageTo3D:
        return ImageTo3D(self.run)

    @property
    def face_swap(self) -> SwapFace:
        return SwapFace(self.run)

    @property
    def to_video(self) -> ImageToVideo:
        return ImageToVideo(self.run)

    @property
    def quote(self) -> QuotePrice:
        return QuotePrice(self.ports)

    @property
    def usage(self) -> ReadUsage:
        return ReadUsage(self.quota, self.clock)

    async def counter(self, user: str, name: str) -> Counter:
        """One of the user's counters now: "calls:<category>", "spend" or "concurrency"."""
        period = LIVE if name == CONCURRENCY else PERIOD
        counters = await self.quota.counters(user, self.clock.now())
        return counters.get(DimensionKey(Scope.USER, user, name, period), Counter())

    async def calls(self, user: str, category: QuotaCategory) -> Counter:
        return await self.counter(user, calls_dimension(category))

    async def spend(self, user: str) -> Counter:
        return await self.counter(user, SPEND)

    async def budget(self) -> Counter:
        return await self.quota.operator_counter("acme", PERIOD)

    async def lines(self, user: str) -> tuple[UsageRecord, ...]:
        return await self.ledger.for_user(user, PERIOD)

    async def line_of(self, operation_id: str) -> UsageRecord:
        line = await self.ledger.for_operation(operation_id)
        assert line is not None, f"no ledger line for {operation_id}"
        return line

    async def operation(self, operation_id: str) -> ImageOperation:
        operation = await self.operations.get(operation_id)
        assert operation is not None, f"no operation {operation_id}"
        return operation

    async def only_operation(self) -> ImageOperation:
        assert len(self.operations.saved_ids) == 1, self.operations.saved_ids
        return await self.operation(self.operations.saved_ids[0])

    async def set_operator_budget(self, micros: int) -> None:
        await self.quota.set_budget(OperatorBudget(provider="acme", monthly=Limit.of(micros)))

    async def assert_nothing_held(self, user: str) -> None:
        counters = await self.quota.counters(user, self.clock.now())
        held = {key.name: counter.held for key, counter in counters.items() if counter.held}
        assert held == {}, f"still held for {user}: {held}"
        assert (await self.budget()).held == 0

    async def assert_nothing_spent(self, user: str) -> None:
        """No quota moved, nothing held, no ledger line: the request never reached the money."""
        counters = await self.quota.counters(user, self.clock.now())
        moved = {key.name: c for key, c in counters.items() if c.used or c.held}
        assert moved == {}, f"quota moved for {user}: {moved}"
        assert await self.ledger.for_user(user) == ()
        assert (await self.budget()).held == 0

    async def assert_used_matches_ledger(self, user: str) -> None:
        """DESIGN.md: `used` for a period equals that period's ledger charges (and counts)."""
        counters = await self.quota.counters(user, self.clock.now())
        lines = await self.lines(user)
        used = {
            key.name: counter.used
            for key, counter in counters.items()
            if key.period == PERIOD and counter.used
        }
        expected: dict[str, int] = {}
        for line in lines:
            if line.user_charge:
                expected[SPEND] = expected.get(SPEND, 0) + line.user_charge
            if line.outputs:
                name = calls_dimension(line.category)
                expected[name] = expected.get(name, 0) + line.outputs
        assert used == expected
        plan = (await self.quota.plan_of(user)).unwrap()
        for key, counter in counters.items():
            if key.name == SPEND:
                limit = plan.spend_cap
            elif key.name == CONCURRENCY:
                limit = plan.concurrent_operations
            else:
                limit = plan.calls_limit(QuotaCategory(key.name.removeprefix("calls:")))
            assert limit.admits(counter.used + counter.held), (key, counter, limit)


StudioFactory = Callable[..., Studio]


@pytest.fixture
def make_studio() -> StudioFactory:
    """Build a studio; `assets` wraps the in-memory asset bytes (to make storing fail)."""

    def build(
        *,
        assets: Callable[[AssetBytes], AssetBytes] | None = None,
        provider: ScriptedProvider | None = None,
        others: tuple[ScriptedProvider, ...] = (),
        routing: RoutingRules | None = None,
        models: tuple[Model, ...] = MODELS,
    ) -> Studio:
        scripted = provider or ScriptedProvider("acme")
        quota = InMemoryQuotaStore(
            (*REFERENCE_PLANS, *TEST_PLANS),
            users={**USERS, "fred": "free"},
            budgets=[OperatorBudget(provider="acme", monthly=Limit.of(OPERATOR_BUDGET))],
        )
        ledger = InMemoryLedger()
        content: AssetBytes = InMemoryAssetBytes()
        if assets is not None:
            content = assets(content)
        library = InMemoryAssetLibrary()
        store = AssetVault(library, content)
        leases = InMemoryOperationStore()
        idempotency = InMemoryIdempotencyStore[StoredOutcome]()
        operations = RecordingUnitOfWork(
            InMemoryUnitOfWork(quota, ledger, leases, idempotency, library), leases
        )
        clock = FixedClock(NOW)
        destinations = ListedDestinations()
        ports = OperationPorts(
            catalog=InMemoryModelCatalog(models),
            providers=StaticProviderDirectory([scripted, *others]),
            quota=quota,
            assets=store,
            operations=leases,
            leases=leases,
            unit_of_work=operations,
            inspector=PillowImageInspector(),
            clock=clock,
            ids=SequentialIdGenerator(),
            destinations=destinations,
            routing=routing or RoutingRules(),
        )
        return Studio(
            ports=ports,
            provider=scripted,
            quota=quota,
            ledger=ledger,
            keys=idempotency,
            assets=store,
            operations=operations,
            clock=clock,
            run=RunOperation(ports),
            destinations=destinations,
        )

    return build


@pytest.fixture
def studio(make_studio: StudioFactory) -> Studio:
    return make_studio()
