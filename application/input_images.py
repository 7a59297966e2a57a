"""An operation's input images: loaded, checked against the model's limits, and digested."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from imagestudio.application.operation_ports import OperationPorts
from imagestudio.application.ports.provider import InputImage
from imagestudio.application.preparation_refusal import Refused, take
from imagestudio.application.requests import ImageInput
from imagestudio.domain.errors import AssetNotFound, InputProblem, InvalidInput
from imagestudio.domain.model import Model
from imagestudio.domain.operation import ParameterValue


async def load_input(
    ports: OperationPorts, user_id: str, model: Model, index: int, image: ImageInput
) -> tuple[InputImage, str]:
    field = f"images[{index}]"
    data = image.data
    if image.asset_id is not None:
        try:
            stored = await ports.assets.load(user_id, image.asset_id)
        except ValueError:
            stored = None  # an id that cannot name a file is not one of the caller's assets
        if stored is None:
            raise Refused(AssetNotFound(image.asset_id))
        data = stored[1]
    assert data is not None
    limits = model.limits
    if len(data) > limits.max_input_bytes:
        raise Refused(
            InvalidInput(
                field,
                f"{len(data)} bytes; {model.id} takes at most {limits.max_input_bytes}",
                InputProblem.TOO_LARGE,
            )
        )
    info = take(ports.inspector.inspect(data, field, limits.max_input_pixels))
    if info.media_type not in limits.input_formats:
        accepted = ", ".join(media.extension for media in limits.input_formats)
        raise Refused(
            InvalidInput(field, f"{model.id} accepts {accepted}", InputProblem.UNSUPPORTED_FORMAT)
        )
    if (
        min(info.width, info.height) < limits.min_side
        or info.width * info.height < limits.min_input_pixels
    ):
        raise Refused(
            InvalidInput(field, f"{info.width}x{info.height} is too small for {model.id}")
        )
    short, long = sorted((info.width, info.height))
    if limits.max_input_side is not None and long > limits.max_input_side:
        raise Refused(
            InvalidInput(
                field,
                f"{info.width}x{info.height} is too large for {model.id}, whose inputs are at "
                f"most {limits.max_input_side} px a side",
                InputProblem.TOO_LARGE,
            )
        )
    if limits.max_input_aspect is not None and long > short * limits.max_input_aspect:
        raise Refused(
            InvalidInput(
                field,
                f"{info.width}x{info.height} is too elongated for {model.id}, which takes "
                f"1:{limits.max_input_aspect:g} to {limits.max_input_aspect:g}:1",
            )
        )
    digest = hashlib.sha256(data).hexdigest()
    return (
        InputImage(
            data=data,
            media_type=info.media_type,
            width=info.width,
            height=info.height,
            role=image.role,
        ),
        digest,
    )


FIELDS_ALLOWANCE = 16 * 1024
"""What a request carries beside its images and texts: the multipart framing of each part and
the short fields (sizes, seed, output format)."""


def check_request_bytes(
    model: Model,
    prompt: str | None,
    parameters: Mapping[str, ParameterValue],
    inputs: tuple[InputImage, ...],
) -> InvalidInput | None:
    """Refuse, before anything is reserved, a request too large for the model's provider to take
    whole (Stability's 10 MiB): each input may fit its own limit while together they do not."""
    limit = model.limits.max_request_bytes
    if limit is None:
        return None
    texts = [prompt or "", *(value for value in parameters.values() if isinstance(value, str))]
    size = (
        sum(len(image.data) for image in inputs)
        + sum(len(text.encode("utf-8", "surrogatepass")) for text in texts)
        + FIELDS_ALLOWANCE
    )
    if size <= limit:
        return None
    return InvalidInput(
        "images",
        f"{size} bytes with the prompt and fields; {model.id} takes at most {limit} a request",
        InputProblem.TOO_LARGE,
    )
