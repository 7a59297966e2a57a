"""A purpose-built Stability stand-in for edge cases the sandbox cannot script.

Each test queues the replies a route gives, in order (the last one repeats), and reads back
every request the server saw: method, path, headers, text fields and file parts.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import struct
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from PIL import Image
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

Reply = Callable[[], Response | Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    fields: dict[str, str]
    files: dict[str, tuple[str, str, bytes]]
    """Field → (filename, content type, bytes)."""


@dataclass
class ScriptedStability:
    seen: list[Seen] = field(default_factory=list)
    _replies: dict[str, deque[Reply]] = field(default_factory=dict)

    def reset(self) -> None:
        """Forget what was seen and scripted (one stand-in serves a whole test module)."""
        self.seen.clear()
        self._replies.clear()

    def on(self, method: str, path: str, *replies: Reply) -> None:
        """Queue replies for `METHOD /path`; once one is left it answers every later call."""
        self._replies[f"{method} {path}"] = deque(replies)

    def requests_to(self, method: str, path: str) -> list[Seen]:
        return [s for s in self.seen if s.method == method and s.path == path]

    def app(self) -> Starlette:
        async def handle(request: Request) -> Response:
            fields: dict[str, str] = {}
            files: dict[str, tuple[str, str, bytes]] = {}
            if request.method == "POST":
                form = await request.form()
                for name, value in form.multi_items():
                    if isinstance(value, UploadFile):
                        files[name] = (
                            value.filename or "",
                            value.content_type or "",
                            await value.read(),
                        )
                    else:
                        fields[name] = value
            self.seen.append(
                Seen(request.method, request.url.path, dict(request.headers), fields, files)
            )
            queue = self._replies.get(f"{request.method} {request.url.path}")
            if not queue:
                return JSONResponse(
                    {"id": "0" * 32, "name": "not_found", "errors": ["no script"]}, 404
                )
            reply = queue.popleft() if len(queue) > 1 else queue[0]
            made = reply()
            return await made if isinstance(made, Awaitable) else made

        return Starlette(routes=[Route("/{path:path}", handle, methods=["GET", "POST"])])


def png_bytes(width: int = 64, height: int = 48, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "navy").save(buffer, fmt)
    return buffer.getvalue()


def glb_bytes() -> bytes:
    chunk = json.dumps({"asset": {"version": "2.0"}}).encode().ljust(32, b" ")
    header = struct.pack("<4sII", b"glTF", 2, 12 + 8 + len(chunk))
    return header + struct.pack("<I4s", len(chunk), b"JSON") + chunk


def image_reply(
    fmt: str = "png", finish: str = "SUCCESS", seed: int = 1234, size: tuple[int, int] = (64, 48)
) -> Reply:
    data = png_bytes(*size, fmt="JPEG" if fmt == "jpeg" else fmt.upper())
    return lambda: Response(
        data,
        media_type=f"image/{fmt}",
        headers={"finish-reason": finish, "seed": str(seed), "x-request-id": "req-1"},
    )


def json_image_reply(
    fmt: str = "png", finish: str = "SUCCESS", seed: int = 99, size: tuple[int, int] = (32, 40)
) -> Reply:
    body = {
        "image": base64.b64encode(png_bytes(*size, fmt=fmt.upper())).decode(),
        "finish_reason": finish,
        "seed": seed,
    }
    return lambda: Response(json.dumps(body), media_type=f"application/json; type=image/{fmt}")


def glb_reply() -> Reply:
    return lambda: Response(glb_bytes(), media_type="model/gltf-binary")


def error_reply(status: int, name: str, *errors: str, v1: bool = False) -> Reply:
    body: dict[str, object] = {"id": "a" * 32, "name": name}
    if v1:
        body["message"] = errors[0] if errors else ""
    else:
        body["errors"] = list(errors)
    return lambda: JSONResponse(body, status)


def accepted_reply(task_id: str) -> Reply:
    return lambda: JSONResponse({"id": task_id})


def in_progress_reply(task_id: str) -> Reply:
    return lambda: JSONResponse({"id": task_id, "status": "in-progress"}, 202)


def slow(seconds: float, then: Reply) -> Reply:
    async def waited() -> Response:
        await asyncio.sleep(seconds)
        made = then()
        return await made if isinstance(made, Awaitable) else made

    return waited


class _Dropped(Response):
    """Headers promising a body, one byte of it, then the connection is closed."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        del scope, receive
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"image/png"), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b"\x89", "more_body": True})
        raise ConnectionResetError("dropped on purpose")


def dropped_reply() -> Reply:
    return _Dropped
