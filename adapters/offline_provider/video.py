"""Image to video: a slow zoom and pan over the input, encoded as MP4 with PyAV.

The render is a preview, small (`RENDER_WIDTH` wide, `FRAMES_PER_SECOND`) to stay fast whatever
resolution is asked; the artifact reports the requested duration and resolution, and the rendered
frame size as its width and height. Each render says so on the `imagestudio.offline` logger (a
warning: the CLI prints it, a server logs it), so nobody takes the preview for the real size.
"""

from __future__ import annotations

import io
import logging
from types import ModuleType
from typing import Any

from PIL import Image

from imagestudio.adapters.offline_provider.reading import (
    UnusableInput,
    choice_parameter,
    decoded,
    int_parameter,
    main_image,
)
from imagestudio.application.ports.provider import Artifact, ProviderJob
from imagestudio.domain.media import MediaType

RESOLUTIONS = ("480p", "720p", "1080p")
DEFAULT_DURATION = 5
MAX_DURATION = 60
FRAMES_PER_SECOND = 8
RENDER_WIDTH = 320
CODEC_PREFERENCE = ("libx264", "mpeg4")
MISSING_PYAV = "image-to-video is not supported offline: install imagestudio[video] (PyAV)"
log = logging.getLogger("imagestudio.offline")
_ZOOM = 0.18
"""How much closer the last frame is than the first."""
_PAN = 0.06
"""How far (a share of the width) the view drifts sideways over the clip."""


class VideoUnavailable(Exception):
    """PyAV, or every encoder it could use, is missing."""


def load_av() -> ModuleType | None:
    """PyAV, or None when the `video` extra is not installed."""
    try:
        import av
    except ImportError:
        return None
    return av


def image_to_video(job: ProviderJob) -> tuple[Artifact, ...]:
    av = load_av()
    if av is None:
        raise VideoUnavailable(MISSING_PYAV)
    duration = int_parameter(job.parameters, "duration", DEFAULT_DURATION, minimum=1)
    resolution = choice_parameter(job.parameters, "resolution", RESOLUTIONS)
    limits = job.model.limits
    if limits.durations and duration not in limits.durations:
        raise UnusableInput(f"duration {duration} s is not one of {limits.durations}")
    if duration > MAX_DURATION:
        raise UnusableInput(f"duration {duration} s is longer than {MAX_DURATION} s")
    if limits.resolutions and resolution not in limits.resolutions:
        raise UnusableInput(f"resolution {resolution} is not one of {limits.resolutions}")
    source = decoded(main_image(job))
    size = render_size(source.size)
    data = encoded(av, frames(source, size, duration * FRAMES_PER_SECOND))
    log.warning(preview_note(size, resolution))
    artifact = Artifact(
        data=data,
        media_type=MediaType.MP4,
        width=size[0],
        height=size[1],
        duration_seconds=duration,
        resolution=resolution,
    )
    return (artifact,) * job.outputs


def preview_note(size: tuple[int, int], resolution: str | None) -> str:
    """What the offline render is, next to what was asked."""
    asked = f"{resolution} asked; " if resolution else ""
    return (
        f"offline image-to-video renders a preview size: {size[0]}×{size[1]} at "
        f"{FRAMES_PER_SECOND} fps ({asked}a real provider's model renders the full resolution)"
    )


def render_size(size: tuple[int, int]) -> tuple[int, int]:
    """`RENDER_WIDTH` wide at the input's aspect ratio, both sides even (as yuv420p needs)."""
    width, height = size
    render_height = max(16, min(2 * RENDER_WIDTH, round(RENDER_WIDTH * height / width / 2) * 2))
    return (RENDER_WIDTH, render_height)


def frames(source: Image.Image, size: tuple[int, int], count: int) -> list[Image.Image]:
    """`count` frames of `size`, zooming in and drifting right at a steady pace."""
    working = source.copy()
    working.thumbnail((size[0] * 2, size[1] * 2), Image.Resampling.LANCZOS)
    width, height = working.size
    aspect = size[0] / size[1]
    view_width, view_height = (
        (width, width / aspect) if width / height < aspect else (height * aspect, height)
    )
    shots = []
    for number in range(count):
        progress = number / max(1, count - 1)
        scale = 1 - _ZOOM * progress
        shown_width, shown_height = view_width * scale, view_height * scale
        centre_x = width / 2 + (progress - 0.5) * _PAN * width
        centre_x = min(max(centre_x, shown_width / 2), width - shown_width / 2)
        left, top = centre_x - shown_width / 2, height / 2 - shown_height / 2
        box = (left, top, left + shown_width, top + shown_height)
        shots.append(
            working.transform(size, Image.Transform.EXTENT, box, Image.Resampling.BILINEAR)
        )
    return shots


def encoded(av: Any, shots: list[Image.Image]) -> bytes:
    codec = _codec(av)
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream(codec, rate=FRAMES_PER_SECOND)
        stream.width, stream.height = shots[0].size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.thread_count = 1
        if codec == "libx264":
            stream.options = {"preset": "ultrafast", "crf": "26"}
        else:
            stream.bit_rate = 800_000
        for shot in shots:
            container.mux(stream.encode(av.VideoFrame.from_image(shot)))
        container.mux(stream.encode())
    return buffer.getvalue()


def _codec(av: Any) -> str:
    for name in CODEC_PREFERENCE:
        try:
            av.codec.Codec(name, "w")
        except ValueError:
            continue
        return name
    raise VideoUnavailable(
        f"image-to-video is not supported offline: PyAV has none of the encoders {CODEC_PREFERENCE}"
    )
