"""A scripted WaveSpeed stand-in for what the sandbox cannot script: each reply is chosen by the
test (a 502 on submit, a Retry-After, a task that never ends, a download that keeps failing)."""

from __future__ import annotations

import asyncio
import base64
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, fields

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from wavespeed_test_support import png

TASK_ID = "0123456789abcdef0123456789abcdef"


def envelope(data: object, status: int = 200, message: str = "success") -> JSONResponse:
    return JSONResponse({"code": status, "message": message, "data": data}, status_code=status)


def refusal(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"code": status, "message": message}, status_code=status, headers=headers)


def prediction(
    status: str = "created",
    outputs: list[str] | None = None,
    nsfw: list[bool] | None = None,
    error: str = "",
    **extra: object,
) -> dict[str, object]:
    return {
        "id": TASK_ID,
        "model": "wavespeed-ai/qwen-image/text-to-image",
        "status": status,
        "outputs": outputs or [],
        "has_nsfw_contents": nsfw or [],
        "error": error,
        "urls": {"get": f"/api/v3/predictions/{TASK_ID}/result"},
        **extra,
    }


def raw_base64_png(width: int = 40, height: int = 30) -> str:
    return base64.b64encode(png(width, height)).decode("ascii")


Reply = Callable[[Request], Response]


@dataclass
class ScriptedWaveSpeed:
    """Replies as scripted; counts every request so tests can prove what was (not) sent."""

    submit: Reply = field(default=lambda _: envelope(prediction("created")))
    submit_delay: float = 0.0
    polls: deque[Reply] = field(default_factory=deque)
    """Taken one per poll; the last one repeats."""
    downloads: deque[Reply] = field(default_factory=deque)
    balance: Reply = field(default=lambda _: envelope({"balance": 12.34}))
    submitted: list[dict[str, object]] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)
    poll_count: int = 0
    download_count: int = 0
    base_url: str = ""

    def reset(self) -> None:
        """Back to the default script and zero counts (one server serves a whole module)."""
        fresh = ScriptedWaveSpeed(base_url=self.base_url)
        for each in fields(self):
            setattr(self, each.name, getattr(fresh, each.name))

    def file_url(self, name: str = "out.png") -> str:
        return f"{self.base_url}/files/{name}"

    def app(self) -> Starlette:
        async def submit(request: Request) -> Response:
            self.submitted.append(await request.json())
            self.authorizations.append(request.headers.get("authorization", ""))
            if self.submit_delay:
                await asyncio.sleep(self.submit_delay)
            return self.submit(request)

        async def poll(request: Request) -> Response:
            self.poll_count += 1
            return _next(self.polls, request)

        async def download(request: Request) -> Response:
            self.download_count += 1
            if self.downloads:
                return _next(self.downloads, request)
            return Response(png(40, 30), media_type="image/png")

        async def balance(request: Request) -> Response:
            return self.balance(request)

        async def headers(request: Request) -> Response:
            return JSONResponse({"authorization": request.headers.get("authorization")})

        return Starlette(
            routes=[
                Route("/api/v3/predictions/{task_id}/result", poll, methods=["GET"]),
                Route("/api/v3/balance", balance, methods=["GET"]),
                Route("/api/v3/{path:path}", submit, methods=["POST"]),
                Route("/files/{name}", download, methods=["GET"]),
                Route("/headers", headers, methods=["GET"]),
            ]
        )


def _next(replies: deque[Reply], request: Request) -> Response:
    if not replies:
        return refusal(404, "no such prediction")
    reply = replies.popleft() if len(replies) > 1 else replies[0]
    return reply(request)
