"""Encoding images as the model's output media type; JPEG has no alpha, so it is flattened."""

from __future__ import annotations

import io

from PIL import Image

from imagestudio.adapters.offline_provider.reading import UnusableInput
from imagestudio.application.ports.provider import Artifact
from imagestudio.domain.media import MediaType

_FLATTEN_ONTO = (255, 255, 255)


def encode(image: Image.Image, media_type: MediaType) -> bytes:
    buffer = io.BytesIO()
    if media_type is MediaType.PNG:
        image.save(buffer, format="PNG")
    elif media_type is MediaType.JPEG:
        _opaque(image).save(buffer, format="JPEG", quality=92)
    elif media_type is MediaType.WEBP:
        image.save(buffer, format="WEBP", quality=90, method=4)
    else:
        raise UnusableInput(f"the model's output {media_type} is not an image format")
    return buffer.getvalue()


def image_artifact(image: Image.Image, media_type: MediaType, seed: int | None = None) -> Artifact:
    return Artifact(
        data=encode(image, media_type),
        media_type=media_type,
        width=image.width,
        height=image.height,
        seed=seed,
    )


def _opaque(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode != "RGBA":
        return image.convert("RGB")
    flat = Image.new("RGB", image.size, _FLATTEN_ONTO)
    flat.paste(image, mask=image.getchannel("A"))
    return flat
