"""Local operations (compress, convert, social): done here, recorded like any operation, and
never charged (`money_path/local_run.py` is their shared path)."""

from __future__ import annotations

from functools import partial

from returns.result import Failure, Result

from imagestudio.application.money_path.local_run import RunLocalOperation
from imagestudio.application.ports.image_processor import (
    CompressSpec,
    ConvertSpec,
    ImageProcessor,
    Metadata,
    SocialFormat,
    SocialSpec,
)
from imagestudio.application.requests import ImageInput, OperationResult
from imagestudio.domain.errors import InputProblem, InvalidInput, OperationError
from imagestudio.domain.errors.echo import echoed
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind

__all__ = [
    "CompressImage",
    "ConvertImage",
    "FitSocial",
    "ListSocialFormats",
    "RunLocalOperation",
]


def _quality(value: int | None, field: str = "quality") -> InvalidInput | None:
    if value is not None and not _whole(value):
        return InvalidInput(field, f"must be a whole number, not {type(value).__name__}")
    if value is not None and not 1 <= value <= 100:
        return InvalidInput(field, f"must be from 1 to 100, not {value}")
    return None


def _whole(value: object) -> bool:
    # A host's Python is not type-checked by ours: a float or a string would reach Pillow.
    return isinstance(value, int) and not isinstance(value, bool)


def _metadata(metadata: object) -> InvalidInput | None:
    if isinstance(metadata, Metadata):
        return None
    return InvalidInput("metadata", f"must be a Metadata, not {type(metadata).__name__}")


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
        if spec.target_bytes is not None and not _whole(spec.target_bytes):
            return Failure(InvalidInput("target_bytes", "must be a whole number of bytes"))
        if spec.target_bytes is not None and spec.target_bytes < 1:
            return Failure(InvalidInput("target_bytes", "must be at least 1"))
        problem = _writable(self._local.processor, spec.media_type) or _metadata(spec.metadata)
        if problem is not None:
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
            partial(processor.compress, spec=spec),
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
        problem = _writable(self._local.processor, spec.media_type) or _metadata(spec.metadata)
        if problem is not None:
            return Failure(problem)
        background: object = spec.background
        if not isinstance(background, tuple) or len(background) != 3:
            return Failure(InvalidInput("background", "give three channels: (red, green, blue)"))
        if any(not _whole(channel) or not 0 <= channel <= 255 for channel in background):
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
            partial(processor.convert, spec=spec),
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
        if not isinstance(format_key, str):
            return Failure(InvalidInput("format", f"must be text, not {type(format_key).__name__}"))
        chosen = next((f for f in self.formats() if f.key == format_key.lower()), None)
        if chosen is None:
            platform = format_key.partition("/")[0].lower()
            same = [f.key for f in self.formats() if f.platform == platform]
            known = same or sorted({f.platform for f in self.formats()})
            return Failure(
                InvalidInput("format", f"no format {echoed(format_key)} (try: {', '.join(known)})")
            )
        problem = _writable(self._local.processor, media_type) or _metadata(metadata)
        if problem is not None:
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
            partial(processor.fit_social, spec=spec),
            parameters,
        )


def _writable(processor: ImageProcessor, media_type: MediaType | None) -> InvalidInput | None:
    if media_type is not None and not isinstance(media_type, MediaType):
        # Before the look-up: a StrEnum's value is equal to it, and would be found there.
        return InvalidInput("media_type", f"must be a MediaType, not {type(media_type).__name__}")
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
