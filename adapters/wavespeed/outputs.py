"""A completed task's outputs turned into artifacts: downloaded or decoded, typed, measured.

`outputs[i]` is a URL, a `data:` URI or raw base64 (`enable_base64_output`);
`has_nsfw_contents[i]` withholds output i. By now the task is billed, so an output that cannot
be had is `OutputUnavailable`, never a failure that would release the money.
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Mapping, Sequence

import httpx
from PIL import Image, UnidentifiedImageError

from imagestudio.adapters.providers.deadline import Deadline, DeadlinePassed
from imagestudio.adapters.providers.image_size import image_size
from imagestudio.adapters.providers.output_media import cut_short, makes
from imagestudio.adapters.providers.read_retries import get_with_retries
from imagestudio.adapters.wavespeed.errors import PROVIDER
from imagestudio.application.ports.provider import Artifact, ProviderJob, ProviderSuccess
from imagestudio.domain.errors import OutputFiltered
from imagestudio.domain.media import MediaType, sniff


class OutputUnavailable(Exception):
    """A billed output that could not be fetched or read; a later lookup may fetch it."""


async def collect_outputs(
    client: httpx.AsyncClient,
    prediction: Mapping[str, object],
    job: ProviderJob,
    *,
    deadline: Deadline,
    download_timeout: float,
) -> ProviderSuccess | OutputFiltered:
    """Every output of a completed prediction that moderation did not withhold."""
    task_id = str(prediction.get("id", ""))
    items = _as_list(prediction.get("outputs"))
    if not items:
        raise OutputUnavailable("the task completed without outputs")
    flags = _as_list(prediction.get("has_nsfw_contents"))
    kept = [item for index, item in enumerate(items) if not _flagged(flags, index)]
    if not kept:
        return OutputFiltered(
            provider=PROVIDER, detail=f"all {len(items)} outputs flagged as NSFW and withheld"
        )
    artifacts = []
    for item in kept:
        data, declared = await _fetch(client, item, deadline, download_timeout)
        artifacts.append(_artifact(data, declared, job))
    return ProviderSuccess(artifacts=tuple(artifacts), task_id=task_id or None)


async def _fetch(
    client: httpx.AsyncClient, item: object, deadline: Deadline, download_timeout: float
) -> tuple[bytes, str | None]:
    reference = _reference(item)
    if reference.startswith("data:"):
        header, _, payload = reference.partition(",")
        return _decoded(payload), header[5:].split(";")[0]
    if not reference.startswith(("http://", "https://")):
        return _decoded(reference), None
    try:
        response = await get_with_retries(
            client, reference, deadline=deadline, read_timeout=download_timeout
        )
    except (httpx.TransportError, DeadlinePassed) as trouble:
        raise OutputUnavailable(f"downloading an output failed: {_describe(trouble)}") from None
    if response.status_code != 200:
        raise OutputUnavailable(f"downloading an output failed: HTTP {response.status_code}")
    return response.content, response.headers.get("content-type")


def _artifact(data: bytes, declared: str | None, job: ProviderJob) -> Artifact:
    media_type = sniff(data)  # the bytes' own signature, whatever the reply declared
    if media_type is None or not makes(job.model.output, media_type):
        # A CDN's error page answered 200, or a file of another kind: billed, but nothing to
        # keep and charge for (a later lookup may fetch the real one).
        wanted = job.model.output
        what = "an image" if wanted.is_image else f"a {wanted.extension} file"
        raise OutputUnavailable(
            f"an output is not {what} (it starts {data[:12]!r}, declared {declared or 'nothing'})"
        )
    if media_type.is_image:
        if cut_short(data, media_type):
            raise OutputUnavailable(f"an output ({len(data)} bytes) stops before its end")
        width, height = _image_size(data)
        return Artifact(data=data, media_type=media_type, width=width, height=height, seed=job.seed)
    if media_type is MediaType.MP4:
        duration, resolution = job.parameters.get("duration"), job.parameters.get("resolution")
        return Artifact(
            data=data,
            media_type=media_type,
            duration_seconds=duration if isinstance(duration, int) else None,
            resolution=resolution if isinstance(resolution, str) else None,
            seed=job.seed,
        )
    return Artifact(data=data, media_type=media_type)


def _image_size(data: bytes) -> tuple[int, int]:
    plain = image_size(data)
    if plain is not None:
        return plain
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombError,
    ) as unreadable:
        raise OutputUnavailable(f"an output is not a readable image: {unreadable}") from None


def _decoded(payload: str) -> bytes:
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise OutputUnavailable("an output is neither a URL nor valid base64") from None


def _reference(item: object) -> str:
    """An output as a string; some replies wrap it as {url | image_url | output: ...}."""
    if isinstance(item, Mapping):
        for name in ("url", "image_url", "output"):
            if isinstance(item.get(name), str):
                return str(item[name])
    if isinstance(item, str) and item.strip():
        return item.strip()
    raise OutputUnavailable("an output is neither a URL nor base64")


def _flagged(flags: Sequence[object], index: int) -> bool:
    return index < len(flags) and flags[index] is True


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def _describe(trouble: Exception) -> str:
    return f"{type(trouble).__name__}: {trouble}".rstrip(": ")
