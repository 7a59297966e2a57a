"""OpenAI's `output_format` and `output_compression`: the images answered in the format asked,
re-encoded here (the asset keeps what the model made). Checked before anything runs: a
compression for PNG, which has none to give, is refused rather than ignored."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from returns.result import Failure

from imagestudio.application.ports.image_processor import ConvertSpec
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.media import MediaType
from imagestudio.entrypoints.http.auth import ProblemError
from imagestudio.entrypoints.http.openai_requests import bad_request
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.state import AppState

OUTPUT_FORMATS = {"png": MediaType.PNG, "jpeg": MediaType.JPEG, "webp": MediaType.WEBP}
_NAMES = {media: name for name, media in OUTPUT_FORMATS.items()}
_COMPRESSED = frozenset({MediaType.JPEG, MediaType.WEBP})


@dataclass(frozen=True, slots=True)
class AnswerFormat:
    """How the images are answered: in `media_type` (None: as made) at `compression` 0-100."""

    media_type: MediaType | None = None
    compression: int | None = None

    @classmethod
    def asked(cls, output_format: str | None, compression: int | None) -> AnswerFormat:
        """The format a request asks for; raises a 422 (well formed, but not a combination to
        answer) for a compression without a format that takes one: OpenAI's default is PNG."""
        media = None if output_format is None else OUTPUT_FORMATS.get(output_format)
        if output_format is not None and media is None:
            raise bad_request("output_format", f"is one of {', '.join(OUTPUT_FORMATS)}")
        if compression is not None and media not in _COMPRESSED:
            refusal = InvalidInput(
                "output_compression", "applies to jpeg and webp: give output_format too"
            )
            raise ProblemError(problem_for(refusal))
        return cls(media, compression)

    def query(self) -> dict[str, str]:
        """The signed link's query asking for this format (empty: as made)."""
        if self.media_type is None:
            return {}
        asked = {"format": _NAMES[self.media_type]}
        if self.compression is not None:
            asked["compression"] = str(self.compression)
        return asked

    async def applied(self, state: AppState, data: bytes, made: MediaType) -> tuple[bytes, str]:
        """`data` (made as `made`) in this format, and its media type."""
        if self.media_type is None or (self.media_type is made and self.compression is None):
            return data, made.value
        spec = ConvertSpec(
            media_type=self.media_type,
            quality=None if self.compression is None else max(1, self.compression),
        )
        container = state.studio.container
        converted = await container.image_workers().run(
            partial(container.image_processor().convert, spec=spec), data
        )
        if isinstance(converted, Failure):
            raise ProblemError(problem_for(converted.failure()))
        return converted.unwrap().data, self.media_type.value


def from_query(output_format: str | None, compression: str | None) -> AnswerFormat | InvalidInput:
    """The format a signed link's query asks for, or why it cannot be answered."""
    try:
        level = None if compression is None else int(compression)
    except ValueError:
        return InvalidInput("compression", "must be a whole number from 0 to 100")
    if level is not None and not 0 <= level <= 100:
        return InvalidInput("compression", "must be a whole number from 0 to 100")
    media = None if output_format is None else OUTPUT_FORMATS.get(output_format)
    if output_format is not None and media is None:
        return InvalidInput("format", f"is one of {', '.join(OUTPUT_FORMATS)}")
    if level is not None and media not in _COMPRESSED:
        return InvalidInput("compression", "applies to jpeg and webp")
    return AnswerFormat(media, level)
