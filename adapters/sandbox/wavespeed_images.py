"""Input images as WaveSpeed takes them: a URL, a `data:` URI or raw base64.

The sandbox is offline, so the only URLs it can fetch are the files it hosts itself (outputs
and uploads under `/_emu/files/`); any other URL is refused as unreachable.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import SplitResult, urlsplit

from imagestudio.adapters.sandbox.hosted_files import FILES_PATH, HostedFiles
from imagestudio.adapters.sandbox.rendering import GivenImage, RenderRefused, read_image
from imagestudio.adapters.sandbox.wavespeed_fields import BadRequest, Body
from imagestudio.application.ports.provider import InputImage

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class InputImages:
    """Reads image fields of one request; `own` is the sandbox's address as the client used it."""

    def __init__(self, files: HostedFiles, own: SplitResult) -> None:
        self._files = files
        self._own = own

    def required(self, body: Body, name: str, role: str = "image") -> InputImage:
        found = self.optional(body, name, role)
        if found is None:
            raise BadRequest(f"{name} is required")
        return found

    def optional(self, body: Body, name: str, role: str = "image") -> InputImage | None:
        value = body.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        return self.decoded(value, name, role)

    def listed(self, body: Body, name: str, role: str = "image") -> list[InputImage]:
        """A field holding one image or an array of them (empty when absent)."""
        value = body.get(name)
        if value is None or value == "":
            return []
        values = value if isinstance(value, list) else [value]
        return [self.decoded(item, f"{name}[{index}]", role) for index, item in enumerate(values)]

    def decoded(self, value: object, name: str, role: str) -> InputImage:
        if not isinstance(value, str) or not value.strip():
            raise BadRequest(f"{name} must be an image URL, a data URI or base64 text")
        data = self._bytes(value.strip(), name)
        try:
            return read_image(GivenImage(data=data, role=role))
        except RenderRefused as refused:
            raise BadRequest(f"{name}: {refused}") from None

    def _bytes(self, value: str, name: str) -> bytes:
        if value.startswith(("http://", "https://")):
            return self._fetched(value, name)
        if value.startswith("data:"):
            header, _, payload = value.partition(",")
            if not header.endswith(";base64"):
                raise BadRequest(f"{name}: a data URI must be base64-encoded")
            return _base64(payload, name)
        return _base64(value, name)

    def _fetched(self, url: str, name: str) -> bytes:
        parts = urlsplit(url)
        hosted_name = parts.path.removeprefix(FILES_PATH + "/")
        if not self._is_own(parts) or hosted_name == parts.path or "/" in hosted_name:
            raise BadRequest(
                f"{name}: cannot fetch {url}: the sandbox is offline and only reads the files "
                "it hosts (outputs and uploads)"
            )
        found = self._files.get(hosted_name)
        if found is None:
            raise BadRequest(f"{name}: cannot fetch {url}: no such file")
        return found[0]

    def _is_own(self, parts: SplitResult) -> bool:
        if _port(parts) != _port(self._own):
            return False
        host, own_host = parts.hostname or "", self._own.hostname or ""
        return host == own_host or (host in _LOOPBACK and own_host in _LOOPBACK)


def _port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def _base64(text: str, name: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest(f"{name} must be an image URL, a data URI or base64 text") from None
