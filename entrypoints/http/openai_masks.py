"""OpenAI's edit mask made ours: OpenAI's is transparent where the edit applies, ours is white
there."""

from __future__ import annotations

import asyncio
import io

from PIL import Image, ImageOps
from returns.result import Failure

from imagestudio.entrypoints.http.openai_requests import OpenAIProblem
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.state import AppState

MASK_MAX_PIXELS = 1 << 26


async def our_mask(state: AppState, data: bytes) -> bytes:
    """OpenAI's mask is transparent where the edit applies, ours is white there; a mask without
    transparency is taken to be ours already."""
    inspector = state.studio.container.inspector()
    checked = await asyncio.to_thread(inspector.inspect, data, "mask", MASK_MAX_PIXELS)
    if isinstance(checked, Failure):
        raise OpenAIProblem(problem_for(checked.failure()))
    return await asyncio.to_thread(_transparency_to_white, data)


def _transparency_to_white(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
            return data
        alpha = image.convert("RGBA").getchannel("A")
    converted = io.BytesIO()
    ImageOps.invert(alpha).save(converted, "PNG")
    return converted.getvalue()
