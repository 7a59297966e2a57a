"""Inputs hosted at WaveSpeed (`POST /api/v3/media/upload/binary`) for models that take URLs.

An upload is not billable and creates nothing that costs money, so unlike a submit it is
retried on 429, 5xx and transport errors, within the operation's deadline.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from imagestudio.adapters.providers.deadline import Deadline, DeadlinePassed
from imagestudio.adapters.providers.read_retries import send_with_retries
from imagestudio.adapters.wavespeed.errors import failed, kind_for_status, reply_message
from imagestudio.application.ports.provider import InputImage
from imagestudio.domain.errors import ProviderErrorKind, ProviderFailed

UPLOAD_ROUTE = "/media/upload/binary"


async def upload_input(
    client: httpx.AsyncClient,
    api_root: str,
    image: InputImage,
    *,
    headers: Mapping[str, str],
    deadline: Deadline,
    attempt_timeout: float,
) -> str | ProviderFailed:
    """The hosted URL of `image`, or why it could not be uploaded (nothing billable was sent)."""
    try:
        response = await _post_with_retries(
            client, api_root + UPLOAD_ROUTE, image, headers, deadline, attempt_timeout
        )
    except DeadlinePassed:
        return failed(ProviderErrorKind.UNAVAILABLE, "uploading an input ran past the deadline")
    except httpx.TransportError as trouble:
        return failed(
            ProviderErrorKind.UNAVAILABLE,
            f"uploading an input failed: {type(trouble).__name__}",
        )
    if response.status_code != 200:
        message = reply_message(response)
        return failed(
            kind_for_status(response.status_code, message),
            f"HTTP {response.status_code} on upload: {message}",
        )
    url = _download_url(response)
    if url is None:
        return failed(ProviderErrorKind.UNAVAILABLE, "the upload reply had no download_url")
    return url


async def _post_with_retries(
    client: httpx.AsyncClient,
    url: str,
    image: InputImage,
    headers: Mapping[str, str],
    deadline: Deadline,
    attempt_timeout: float,
) -> httpx.Response:
    files = {"file": (f"input.{image.media_type.extension}", image.data, image.media_type.value)}
    return await send_with_retries(
        client,
        "POST",
        url,
        deadline=deadline,
        headers=headers,
        files=files,
        read_timeout=attempt_timeout,
        wait_initial=0.1,
        wait_max=5.0,
    )


def _download_url(response: httpx.Response) -> str | None:
    try:
        data = response.json().get("data") or {}
    except (ValueError, AttributeError):
        return None
    url = data.get("download_url") or data.get("url") if isinstance(data, dict) else None
    return url if isinstance(url, str) and url else None
