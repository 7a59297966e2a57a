"""Small real fakes for the use-case tests: a scripted provider, a failing asset store and
listed webhook destinations."""

from __future__ import annotations

import asyncio
import io
import random
import struct
import zlib
from collections import deque
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from typing import Any

from PIL import Image

from imagestudio.application.ports.asset_bytes import AssetBytes, StoredBytes
from imagestudio.application.ports.operation_store import OperationStore
from imagestudio.application.ports.provider import (
    Artifact,
    LookupOutcome,
    ProviderJob,
    ProviderOutcome,
    ProviderSuccess,
    SubmissionReport,
    SubmitUnknown,
    TaskMissing,
    TaskPending,
)
from imagestudio.application.ports.unit_of_work import Lease, Unit, UnitOfWork
from imagestudio.application.requests import ImageInput, OperationRequest
from imagestudio.domain.errors import OutputFiltered, ProviderErrorKind, ProviderFailed
from imagestudio.domain.limit import Limit
from imagestudio.domain.media import MediaType
from imagestudio.domain.model import InputLimits, Model
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_kind import OperationKind, QuotaCategory
from imagestudio.domain.plan import Plan
from imagestudio.domain.pricing import FlatPerOutput, PerMegapixel, PerVideoSecond, PricingRule

FAKE_MP4 = b"\x00\x00\x00\x18ftypmp42 fake video"
FAKE_GLB = b"glTF\x02\x00\x00\x00 fake model"


@cache
def png_bytes(width: int, height: int, color: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class Succeed:
    """Return the outputs the job asked for; `size` and `outputs` override what comes back."""

    size: tuple[int, int] | None = None
    outputs: int | None = None
    states_size: bool = True
    """False: the artifacts leave width and height unset, as a careless adapter might."""


@dataclass(frozen=True, slots=True)
class Fail:
    kind: ProviderErrorKind = ProviderErrorKind.UNAVAILABLE
    detail: str = "scripted failure"


@dataclass(frozen=True, slots=True)
class Filter:
    detail: str = "nsfw flag"


@dataclass(frozen=True, slots=True)
class Unknown:
    """The submit left, then the connection dropped: the outcome is unknown."""

    task_id: str | None = "task-unknown"
    detail: str = "timed out after sending"


@dataclass(frozen=True, slots=True)
class Crash:
    """An adapter bug: an exception raised before or after the request was sent."""

    after_sending: bool = False
    message: str = "adapter bug"


@dataclass(eq=False)
class Block:
    """Wait on `gate` before (or after) sending, then behave as `then`."""

    after_sending: bool = False
    then: Succeed | Fail | Filter | Unknown = field(default_factory=Succeed)
    entered: asyncio.Event = field(default_factory=asyncio.Event)
    gate: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        self.gate.set()


@dataclass(frozen=True)
class Quiet:
    """Play `then` without calling report.sending() or report.accepted(): a careless adapter."""

    then: Succeed | Unknown = field(default_factory=Succeed)


Behaviour = Succeed | Fail | Filter | Unknown | Crash | Block | Quiet


@dataclass(frozen=True, slots=True)
class Pending:
    """A looked-up task still running at the provider."""


@dataclass(frozen=True, slots=True)
class Missing:
    """A looked-up task the provider has no record of."""


Found = Succeed | Fail | Filter | Pending | Missing
"""What a task lookup finds (reconciliation)."""


class ScriptedProvider:
    """The `ImageProvider` port playing one scripted behaviour per call (then succeeding)."""

    def __init__(self, name: str = "acme", script: Iterable[Behaviour] = ()) -> None:
        self.name = name
        self._script: deque[Behaviour] = deque(script)
        self.jobs: list[ProviderJob] = []
        self.sent = 0
        self.tasks: dict[str, Found] = {}
        """What `lookup` finds per task id; an id not here is Missing."""
        self.lookups: list[str] = []

    async def lookup(self, job: ProviderJob, task_id: str) -> LookupOutcome:
        self.lookups.append(task_id)
        found = self.tasks.get(task_id, Missing())
        if isinstance(found, Pending):
            return TaskPending(task_id)
        if isinstance(found, Missing):
            return TaskMissing(task_id, "no such task")
        if isinstance(found, Fail):
            return ProviderFailed(provider=self.name, kind=found.kind, detail=found.detail)
        if isinstance(found, Filter):
            return OutputFiltered(provider=self.name, detail=found.detail)
        return ProviderSuccess(artifacts=_artifacts(job, found), task_id=task_id)

    def script(self, *behaviours: Behaviour) -> None:
        self._script.extend(behaviours)

    async def run(self, job: ProviderJob, report: SubmissionReport) -> ProviderOutcome:
        self.jobs.append(job)
        call = len(self.jobs)
        behaviour = self._script.popleft() if self._script else Succeed()
        if isinstance(behaviour, Quiet):
            quiet = behaviour.then
            if isinstance(quiet, Unknown):
                return SubmitUnknown(task_id=quiet.task_id, detail=quiet.detail)
            return ProviderSuccess(artifacts=_artifacts(job, quiet), task_id=f"{self.name}-quiet")
        if isinstance(behaviour, Crash) and not behaviour.after_sending:
            raise RuntimeError(behaviour.message)
        if isinstance(behaviour, Block) and not behaviour.after_sending:
            behaviour.entered.set()
            await behaviour.gate.wait()
        await report.sending()
        self.sent += 1
        if isinstance(behaviour, Crash):
            raise RuntimeError(behaviour.message)
        if isinstance(behaviour, Block):
            if behaviour.after_sending:
                behaviour.entered.set()
                await behaviour.gate.wait()
            behaviour = behaviour.then
        task_id = f"{self.name}-task-{call}"
        if isinstance(behaviour, Unknown):
            if behaviour.task_id is not None:
                await report.accepted(behaviour.task_id)
            return SubmitUnknown(task_id=behaviour.task_id, detail=behaviour.detail)
        await report.accepted(task_id)
        if isinstance(behaviour, Fail):
            return ProviderFailed(provider=self.name, kind=behaviour.kind, detail=behaviour.detail)
        if isinstance(behaviour, Filter):
            return OutputFiltered(provider=self.name, detail=behaviour.detail)
        return ProviderSuccess(artifacts=_artifacts(job, behaviour), task_id=task_id)


def _artifacts(job: ProviderJob, success: Succeed) -> tuple[Artifact, ...]:
    count = job.outputs if success.outputs is None else success.outputs
    width, height = success.size or (job.width, job.height)
    return tuple(
        _artifact(job, width, height, index, success.states_size) for index in range(count)
    )


def _artifact(job: ProviderJob, width: int, height: int, index: int, states_size: bool) -> Artifact:
    seed = None if job.seed is None else job.seed + index
    if job.model.output is MediaType.MP4:
        duration = job.parameters.get("duration")
        resolution = job.parameters.get("resolution")
        return Artifact(
            data=FAKE_MP4,
            media_type=MediaType.MP4,
            duration_seconds=duration if isinstance(duration, int) else None,
            resolution=resolution if isinstance(resolution, str) else None,
            seed=seed,
        )
    if job.model.output is MediaType.GLB:
        return Artifact(data=FAKE_GLB, media_type=MediaType.GLB, seed=seed)
    return Artifact(
        data=png_bytes(width, height),
        media_type=MediaType.PNG,
        width=width if states_size else None,
        height=height if states_size else None,
        seed=seed,
    )


class ListedDestinations:
    """The `DestinationCheck` port: refuses the URLs it lists (with their reasons), and keeps
    every URL it was asked about."""

    def __init__(self, refused: dict[str, str] | None = None) -> None:
        self.refused = dict(refused or {})
        self.asked: list[str] = []

    async def refusal(self, url: str) -> str | None:
        self.asked.append(url)
        return self.refused.get(url)


class StorageDown(OSError):
    """What a `FailingAssetStore` raises."""


class FailingAssetStore:
    """Wraps an `AssetBytes`; the put calls whose 1-based number is in `failing` raise.

    `FailingAssetStore.always(inner)`, `.from_call(inner, k)` (the k-th put and every later one),
    `.first_calls(inner, k)` (a transient failure: the first k puts, then it works).
    """

    def __init__(self, inner: AssetBytes, failing: set[int] | None = None) -> None:
        self.inner = inner
        self._failing = failing
        self.save_calls = 0

    @classmethod
    def always(cls, inner: AssetBytes) -> FailingAssetStore:
        return cls(inner, None)

    @classmethod
    def from_call(cls, inner: AssetBytes, k: int) -> FailingAssetStore:
        return cls(inner, set(range(k, k + 100)))

    @classmethod
    def first_calls(cls, inner: AssetBytes, k: int) -> FailingAssetStore:
        return cls(inner, set(range(1, k + 1)))

    async def put(self, owner: str, asset_id: str, media_type: MediaType, data: bytes) -> None:
        self.save_calls += 1
        if self._failing is None or self.save_calls in self._failing:
            raise StorageDown(f"disk full on save {self.save_calls}")
        await self.inner.put(owner, asset_id, media_type, data)

    async def get(self, owner: str, asset_id: str, media_type: MediaType) -> bytes | None:
        return await self.inner.get(owner, asset_id, media_type)

    async def remove(self, owner: str, asset_id: str, media_type: MediaType) -> bool:
        return await self.inner.remove(owner, asset_id, media_type)

    async def put_thumbnail(
        self, owner: str, asset_id: str, size: int, media_type: MediaType, data: bytes
    ) -> None:
        await self.inner.put_thumbnail(owner, asset_id, size, media_type, data)

    async def get_thumbnail(
        self, owner: str, asset_id: str, size: int, media_type: MediaType
    ) -> bytes | None:
        return await self.inner.get_thumbnail(owner, asset_id, size, media_type)

    async def remove_thumbnail(
        self, owner: str, asset_id: str, size: int, media_type: MediaType
    ) -> bool:
        return await self.inner.remove_thumbnail(owner, asset_id, size, media_type)

    def inventory(self) -> AsyncIterator[StoredBytes]:
        return self.inner.inventory()

    def location(self, owner: str, asset_id: str, media_type: MediaType) -> str:
        return self.inner.location(owner, asset_id, media_type)


class BlockingAssetStore(FailingAssetStore):
    """Wraps an `AssetBytes`; the first put waits on `gate` (to cancel a caller mid-store)."""

    def __init__(self, inner: AssetBytes) -> None:
        super().__init__(inner, set())
        self.entered = asyncio.Event()
        self.gate = asyncio.Event()

    async def put(self, owner: str, asset_id: str, media_type: MediaType, data: bytes) -> None:
        if not self.gate.is_set():
            self.entered.set()
            await self.gate.wait()
        await self.inner.put(owner, asset_id, media_type, data)


class RecordingUnitOfWork:
    """Wraps a `UnitOfWork`, remembering every operation a committed unit wrote, and the path
    of states each went through (a rolled-back unit leaves nothing here, as in the stores)."""

    def __init__(self, inner: UnitOfWork, operations: OperationStore) -> None:
        self.inner = inner
        self._operations = operations
        self.saved_ids: list[str] = []
        self.history: dict[str, list[OperationStatus]] = {}
        self.commits = 0

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[Unit]:
        async with self.inner.begin() as unit:
            yield _RecordingUnit(unit, self)

    async def get(self, operation_id: str) -> ImageOperation | None:
        return await self._operations.get(operation_id)

    def _committed(self, written: list[ImageOperation]) -> None:
        self.commits += 1
        for operation in written:
            if operation.id not in self.saved_ids:
                self.saved_ids.append(operation.id)
            path = self.history.setdefault(operation.id, [])
            if not path or path[-1] is not operation.status:
                path.append(operation.status)


class _RecordingUnit:
    def __init__(self, inner: Unit, recorder: RecordingUnitOfWork) -> None:
        self._inner = inner
        self._recorder = recorder
        self._written: list[ImageOperation] = []
        self.quota = inner.quota
        self.ledger = inner.ledger
        self.idempotency = inner.idempotency
        self.assets = inner.assets
        self.outbox = inner.outbox
        self.operations = self

    async def add(self, operation: ImageOperation, lease: Lease) -> None:
        await self._inner.operations.add(operation, lease)
        self._written.append(operation)

    async def advance(
        self,
        expected: OperationStatus,
        operation: ImageOperation,
        *,
        last_updated: datetime | None = None,
    ) -> None:
        await self._inner.operations.advance(expected, operation, last_updated=last_updated)
        self._written.append(operation)

    async def commit(self) -> None:
        await self._inner.commit()
        self._recorder._committed(self._written)


# The test world: a clock, a catalog and plans small enough to read in one screen.

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PERIOD = "2026-11-01"
NEXT_PERIOD_START = datetime(2026, 12, 1, tzinfo=UTC)

FLAT_PRICE = 40_000
BATCH_PRICE = 50_000
EDIT_PRICE = 20_000
EDIT_LITE_PRICE = 5_000
UPSCALE_PER_MEGAPIXEL = 10_000
VIDEO_PER_SECOND = {"480p": 50_000, "720p": 100_000}
CONTROL_PRICE = 30_000
MODEL_3D_PRICE = 200_000
FACE_SWAP_PRICE = 10_000
GHOST_PRICE = 1_000
OPERATOR_BUDGET = 5_000_000

K = OperationKind
LIMITS = InputLimits(
    max_prompt_chars=200,
    min_side=64,
    max_side=1024,
    max_output_pixels=1024 * 1024,
    max_input_bytes=100_000,
    max_input_pixels=1024 * 1024,
)


def _model(model_id: str, kind: OperationKind, pricing: PricingRule, **changes: Any) -> Model:
    fields: dict[str, Any] = {
        "id": model_id,
        "provider": "acme",
        "provider_path": f"acme/{model_id}",
        "kinds": frozenset({kind}),
        "pricing": pricing,
        "output": MediaType.PNG,
        "limits": LIMITS,
        "default_size": (256, 256),
    }
    fields.update(changes)
    return Model(**fields)


MODELS = (
    _model("acme-flat", K.TEXT_TO_IMAGE, FlatPerOutput(FLAT_PRICE)),
    _model(
        "acme-batch",
        K.TEXT_TO_IMAGE,
        FlatPerOutput(BATCH_PRICE),
        limits=replace(LIMITS, outputs_per_call=4),
    ),
    _model(
        "acme-edit",
        K.IMAGE_EDIT,
        FlatPerOutput(EDIT_PRICE),
        modes=("general", "erase", "outpaint"),
    ),
    _model("acme-edit-lite", K.IMAGE_EDIT, FlatPerOutput(EDIT_LITE_PRICE), modes=("general",)),
    _model("acme-upscale", K.UPSCALE, PerMegapixel(UPSCALE_PER_MEGAPIXEL)),
    _model(
        "acme-video",
        K.IMAGE_TO_VIDEO,
        PerVideoSecond(VIDEO_PER_SECOND),
        output=MediaType.MP4,
        limits=replace(LIMITS, durations=(5, 10), resolutions=("480p", "720p")),
    ),
    _model("acme-control", K.CONTROL, FlatPerOutput(CONTROL_PRICE), modes=("sketch", "style")),
    _model("acme-3d", K.IMAGE_TO_3D, FlatPerOutput(MODEL_3D_PRICE), output=MediaType.GLB),
    _model("acme-faceswap", K.FACE_SWAP, FlatPerOutput(FACE_SWAP_PRICE)),
    _model("ghost-cheap", K.TEXT_TO_IMAGE, FlatPerOutput(GHOST_PRICE), provider="ghost"),
)

G = QuotaCategory.IMAGE_GENERATION
ROOMY = Plan(
    name="roomy",
    calls=dict.fromkeys(QuotaCategory, Limit.of(100)),
    spend_cap=Limit.of(10_000_000),
    concurrent_operations=Limit.of(4),
)
THREE_CALLS = Plan(name="three-calls", calls={G: Limit.of(3)}, spend_cap=Limit.of(10_000_000))
SMALL_SPEND = Plan(name="small-spend", spend_cap=Limit.of(50_000))
ONE_AT_A_TIME = Plan(name="one-at-a-time", concurrent_operations=Limit.of(1))
TWO_PER_MINUTE = Plan(name="two-per-minute", requests_per_minute=Limit.of(2))
TEST_PLANS = (ROOMY, THREE_CALLS, SMALL_SPEND, ONE_AT_A_TIME, TWO_PER_MINUTE)
USERS = {
    "ada": "roomy",
    "bob": "roomy",
    "cat": "three-calls",
    "dan": "small-spend",
    "eve": "one-at-a-time",
    "fay": "two-per-minute",
}


def text_to_image(user: str = "ada", **changes: Any) -> OperationRequest:
    fields: dict[str, Any] = {
        "user_id": user,
        "kind": K.TEXT_TO_IMAGE,
        "model_id": "acme-flat",
        "prompt": "a lighthouse at dusk",
    }
    fields.update(changes)
    return OperationRequest(**fields)


def image_request(
    kind: OperationKind, model_id: str, *images: bytes, **changes: Any
) -> OperationRequest:
    fields: dict[str, Any] = {
        "user_id": "ada",
        "kind": kind,
        "model_id": model_id,
        "prompt": "make it better",
        "images": tuple(ImageInput(data=data) for data in images),
    }
    fields.update(changes)
    return OperationRequest(**fields)


@cache
def noise_png(width: int, height: int) -> bytes:
    """A PNG that does not compress: its size in bytes is about 3 × width × height."""
    pixels = random.Random(7).randbytes(width * height * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(buffer, "PNG")
    return buffer.getvalue()


def encoded(width: int, height: int, image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "orange").save(buffer, image_format)
    return buffer.getvalue()


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = struct.pack(">I", zlib.crc32(kind + payload))
    return struct.pack(">I", len(payload)) + kind + payload + crc


def png_claiming(width: int, height: int) -> bytes:
    """A decompression bomb: a tiny PNG whose header claims `width` × `height` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )
