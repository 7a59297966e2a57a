"""Outputs the sandbox serves by URL (`/_emu/files/<name>`), as the real CDNs would."""

from __future__ import annotations

import threading
import uuid

from starlette.requests import Request
from starlette.responses import Response

from imagestudio.adapters.sandbox.faults import FaultScript, Route
from imagestudio.adapters.sandbox.http_faults import faulted
from imagestudio.domain.media import MediaType

FILES_PATH = "/_emu/files"


class HostedFiles:
    def __init__(self) -> None:
        self._files: dict[str, tuple[bytes, MediaType]] = {}
        self._lock = threading.Lock()

    def put(self, data: bytes, media_type: MediaType) -> str:
        """Keep `data`; returns the path (under the sandbox's base URL) that serves it."""
        return self.put_named(self.new_name(media_type), data, media_type)

    @staticmethod
    def new_name(media_type: MediaType) -> str:
        """A fresh name for a file of `media_type`: served at `FILES_PATH/<name>` once put."""
        return f"{uuid.uuid4().hex}.{media_type.extension}"

    def put_named(self, name: str, data: bytes, media_type: MediaType) -> str:
        """Keep `data` under a name drawn before (an upload ticket promises its URL first)."""
        with self._lock:
            self._files[name] = (data, media_type)
        return self.path_of(name)

    @staticmethod
    def path_of(name: str) -> str:
        """The path (under the sandbox's base URL) that serves the file called `name`."""
        return f"{FILES_PATH}/{name}"

    def get(self, name: str) -> tuple[bytes, MediaType] | None:
        """A hosted file's bytes and type by its name (what follows `FILES_PATH/`), if kept."""
        with self._lock:
            return self._files.get(name)

    def url(self, request: Request, path: str) -> str:
        return str(request.base_url).rstrip("/") + path

    async def serve(self, request: Request, faults: FaultScript) -> Response:

        async def answer() -> Response:
            with self._lock:
                found = self._files.get(request.path_params["name"])
            if found is None:
                return Response("not found", status_code=404, media_type="text/plain")
            data, media_type = found
            return Response(data, media_type=media_type.value)

        return await faulted(faults, Route.FILE_DOWNLOAD, plain_error, answer)


def plain_error(status: int) -> Response:
    return Response(f"error {status}", status_code=status, media_type="text/plain")
