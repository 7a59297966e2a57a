"""Local operations (compress, convert, social): done here, recorded like any operation, and
never charged: a zero-cost ledger line, a call counted against the plan, a new asset with its
lineage."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from returns.result import Failure, Result, Success

from imagestudio.application.operation_ports import LeasePolicy, OperationPorts
from imagestudio.application.ports.image_processor import (
    CompressSpec,
    ConvertSpec,
    ImageProcessor,
    Metadata,
    ProcessedImage,
    SocialFormat,
    SocialSpec,
)
from imagestudio.application.requests import ImageInput, OperationResult
from imagestudio.application.storage_quota import storage_refusal
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import (
    AssetNotFound,
    InputProblem,
    InvalidInput,
    OperationError,
    OutputLost,
    UnknownUser,
)
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation import ImageOperation, OperationStatus, ParameterValue
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.quota import ReservationRequest, Settlement
from imagestudio.domain.usage_record import Outcome, UsageRecord

log = logging.getLogger(__name__)
S = OperationStatus
LOCAL_PROVIDER = "local"
MAX_INPUT_BYTES = 100 * 1024 * 1024
Work = Callable[[bytes], Result[ProcessedImage, InvalidInput]]


class RunLocalOperation:
    """The shared path of every local operation: input, storage room, work, call, record.

    The work runs (in a thread) before anything is reserved or written, so an input it cannot
    handle costs nothing and leaves nothing behind.
    """

    def __init__(
        self, ports: OperationPorts, processor: ImageProcessor, lease: LeasePolicy | None = None
    ) -> None:
        self._ports = ports
        self.processor = processor
        self._lease = lease or LeasePolicy(holder=ports.ids.new_id("local"))

    async def run(
        self,
        user_id: str,
        kind: OperationKind,
        image: ImageInput,
        work: Work,
        parameters: dict[str, ParameterValue],
    ) -> Result[OperationResult, OperationError]:
        """Run `work` on `image` (bytes or one of the user's asset ids) as a `kind` operation."""
        assert kind.is_local
        ports = self._ports
        source: Asset | None = None
        data = image.data
        if image.asset_id is not None:
            loaded = await ports.assets.load(user_id, image.asset_id)
            if loaded is None:
                return Failure(AssetNotFound(image.asset_id))
            source, data = loaded
        assert data is not None
        if len(data) > MAX_INPUT_BYTES:
            return Failure(
                InvalidInput(
                    "image", f"{len(data)} bytes; at most {MAX_INPUT_BYTES}", InputProblem.TOO_LARGE
                )
            )
        plan = await ports.quota.plan_of(user_id)
        if isinstance(plan, Failure):
            return Failure(UnknownUser(user_id))
        full = await storage_refusal(plan.unwrap(), ports.assets.library, user_id)
        if full is not None:
            return Failure(full)
        processed = await asyncio.to_thread(work, data)
        if isinstance(processed, Failure):
            return Failure(processed.failure())
        return await self._record(user_id, kind, source, processed.unwrap(), parameters)

    async def _record(
        self,
        user_id: str,
        kind: OperationKind,
        source: Asset | None,
        output: ProcessedImage,
        parameters: dict[str, ParameterValue],
    ) -> Result[OperationResult, OperationError]:
        ports = self._ports
        now = ports.clock.now()
        model_id = f"{LOCAL_PROVIDER}/{kind.value}"
        operation = ImageOperation(
            id=ports.ids.new_id("op"),
            user_id=user_id,
            kind=kind,
            model_id=model_id,
            provider=LOCAL_PROVIDER,
            prompt=source.prompt if source else "",
            input_digests=(),
            input_asset_ids=(source.id,) if source else (),
            parameters=parameters,
            outputs_requested=1,
            created_at=now,
            updated_at=now,
            reservation_id=ports.ids.new_id("res"),
            output_size=(output.width, output.height),
        )
        # Saved and leased first: if this process dies, the sweeper releases the reservation.
        await ports.operations.save(operation)
        await ports.leases.hold(operation.id, self._lease.holder, now + self._lease.ttl)
        reservation_id = operation.reservation_id
        assert reservation_id is not None
        reserved = await ports.quota.reserve(
            reservation_id,
            ReservationRequest(
                user_id=user_id,
                category=kind.category,
                outputs=1,
                amount=0,
                provider=LOCAL_PROVIDER,
                at=now,
            ),
        )
        if isinstance(reserved, Failure):
            refusal = reserved.failure()
            await ports.operations.save(_advanced(operation, S.FAILED, now, error=refusal.message))
            return Failure(refusal)
        period = reserved.unwrap().period
        operation = _advanced(operation, S.RESERVED, ports.clock.now())
        await ports.operations.save(operation)
        asset = Asset(
            id=ports.ids.new_id("ast"),
            owner=user_id,
            operation_id=operation.id,
            model_id=model_id,
            kind=kind,
            media_type=output.media_type,
            size_bytes=len(output.data),
            created_at=ports.clock.now(),
            width=output.width,
            height=output.height,
            prompt=operation.prompt,
            derived_from=operation.input_asset_ids,
            tags=source.tags if source else frozenset(),
        )
        try:
            await ports.assets.save(asset, output.data)
        except Exception as error:
            await ports.quota.release(reservation_id)
            lost = OutputLost(detail=f"{type(error).__name__}: {error}")
            await self._ledger(operation, period, now, Outcome.OUTPUT_LOST, 0, lost.detail)
            await ports.operations.save(_advanced(operation, S.FAILED, now, error=lost.message))
            log.error("local operation %s: storing its output failed: %s", operation.id, error)
            return Failure(lost)
        await ports.quota.commit(reservation_id, Settlement(outputs=1, amount=0, provider_cost=0))
        await self._ledger(operation, period, now, Outcome.SUCCEEDED, len(output.data), "")
        # Never stored as `submitted`: nothing was sent anywhere, so nothing could be unknown.
        finished = ports.clock.now()
        operation = _advanced(operation, S.SUBMITTED, finished)
        operation = _advanced(operation, S.SUCCEEDED, finished, asset_ids=(asset.id,), charged=0)
        await ports.operations.save(operation)
        return Success(OperationResult(operation=operation, assets=(asset,), charged=0))

    async def _ledger(
        self,
        operation: ImageOperation,
        period: str,
        started: datetime,
        outcome: Outcome,
        output_bytes: int,
        reason: str,
    ) -> None:
        finished = self._ports.clock.now()
        await self._ports.ledger.append(
            UsageRecord(
                user_id=operation.user_id,
                operation_id=operation.id,
                model_id=operation.model_id,
                provider=LOCAL_PROVIDER,
                kind=operation.kind,
                outputs=1 if outcome is Outcome.SUCCEEDED else 0,
                user_charge=0,
                provider_cost=0,
                outcome=outcome,
                output_bytes=output_bytes,
                latency_ms=max(0, int((finished - started).total_seconds() * 1000)),
                billing_period=period,
                started_at=started,
                finished_at=finished,
                reason=reason,
            )
        )


def _advanced(
    operation: ImageOperation, to: OperationStatus, at: datetime, **changes: object
) -> ImageOperation:
    return operation.advance(to, at, **changes).unwrap()


def _quality(value: int | None, field: str = "quality") -> InvalidInput | None:
    if value is not None and not 1 <= value <= 100:
        return InvalidInput(field, f"must be from 1 to 100, not {value}")
    return None


class CompressImage:
    """Re-encodes an image smaller: at a quality, or as good as fits in a number of bytes."""

    def __init__(self, local: RunLocalOperation) -> None:
        self._local = local

    async def execute(
        self, user_id: str, image: ImageInput, spec: CompressSpec
    ) -> Result[OperationResult, OperationError]:
        """A new asset (lineage: the input asset, if one was named); free, but recorded."""
        if spec.quality is not None and spec.target_bytes is not None:
            return Failure(InvalidInput("quality", "give a quality or a target size, not both"))
        if (problem := _quality(spec.quality)) is not None:
            return Failure(problem)
        if spec.target_bytes is not None and spec.target_bytes < 1:
            return Failure(InvalidInput("target_bytes", "must be at least 1"))
        if (problem := _writable(self._local.processor, spec.media_type)) is not None:
            return Failure(problem)
        parameters: dict[str, ParameterValue] = {"metadata": spec.metadata.value}
        if spec.quality is not None:
            parameters["quality"] = spec.quality
        if spec.target_bytes is not None:
            parameters["target_bytes"] = spec.target_bytes
        if spec.media_type is not None:
            parameters["format"] = spec.media_type.extension
        processor = self._local.processor
        return await self._local.run(
            user_id,
            OperationKind.COMPRESS,
            image,
            lambda data: processor.compress(data, spec),
            parameters,
        )


class ConvertImage:
    """Re-encodes an image in another format (PNG, JPEG, WebP, AVIF), transparency handled."""

    def __init__(self, local: RunLocalOperation) -> None:
        self._local = local

    async def execute(
        self, user_id: str, image: ImageInput, spec: ConvertSpec
    ) -> Result[OperationResult, OperationError]:
        """A new asset in `spec.media_type`; free, but recorded."""
        if (problem := _quality(spec.quality)) is not None:
            return Failure(problem)
        if (problem := _writable(self._local.processor, spec.media_type)) is not None:
            return Failure(problem)
        if any(not 0 <= channel <= 255 for channel in spec.background):
            return Failure(InvalidInput("background", "each channel must be from 0 to 255"))
        parameters: dict[str, ParameterValue] = {
            "format": spec.media_type.extension,
            "metadata": spec.metadata.value,
            "background": "#{:02x}{:02x}{:02x}".format(*spec.background),
        }
        if spec.quality is not None:
            parameters["quality"] = spec.quality
        processor = self._local.processor
        return await self._local.run(
            user_id,
            OperationKind.CONVERT,
            image,
            lambda data: processor.convert(data, spec),
            parameters,
        )


class FitSocial:
    """Resizes and smart-crops an image to a social platform's format (`instagram/story`…)."""

    def __init__(self, local: RunLocalOperation) -> None:
        self._local = local

    def formats(self) -> tuple[SocialFormat, ...]:
        """Every platform format, sorted by key."""
        return self._local.processor.social_formats()

    async def execute(
        self,
        user_id: str,
        image: ImageInput,
        format_key: str,
        *,
        media_type: MediaType | None = None,
        metadata: Metadata = Metadata.STRIP,
    ) -> Result[OperationResult, OperationError]:
        """A new asset of exactly the format's size; free, but recorded."""
        chosen = next((f for f in self.formats() if f.key == format_key.lower()), None)
        if chosen is None:
            platform = format_key.partition("/")[0].lower()
            same = [f.key for f in self.formats() if f.platform == platform]
            known = same or sorted({f.platform for f in self.formats()})
            return Failure(
                InvalidInput("format", f"no format {format_key!r} (try: {', '.join(known)})")
            )
        if (problem := _writable(self._local.processor, media_type)) is not None:
            return Failure(problem)
        spec = SocialSpec(format=chosen, media_type=media_type, metadata=metadata)
        parameters: dict[str, ParameterValue] = {
            "format": chosen.key,
            "size": f"{chosen.width}x{chosen.height}",
            "metadata": metadata.value,
        }
        if media_type is not None:
            parameters["output"] = media_type.extension
        processor = self._local.processor
        return await self._local.run(
            user_id,
            OperationKind.SOCIAL,
            image,
            lambda data: processor.fit_social(data, spec),
            parameters,
        )


def _writable(processor: ImageProcessor, media_type: MediaType | None) -> InvalidInput | None:
    if media_type is None or media_type in processor.writable():
        return None
    can = ", ".join(sorted(media.extension for media in processor.writable()))
    return InvalidInput(
        "media_type",
        f"cannot write {media_type.value} here (can write: {can})",
        InputProblem.UNSUPPORTED_FORMAT,
    )


class ListSocialFormats:
    """The social platform formats `FitSocial` knows (from the presets data file)."""

    def __init__(self, local: RunLocalOperation) -> None:
        self._processor = local.processor

    async def execute(self, platform: str | None = None) -> tuple[SocialFormat, ...]:
        """Every format, sorted by key; only one platform's when `platform` is given."""
        formats = self._processor.social_formats()
        if platform is None:
            return formats
        return tuple(f for f in formats if f.platform == platform.lower())
