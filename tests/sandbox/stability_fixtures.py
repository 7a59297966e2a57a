"""Helpers for the Stability contract tests: in-memory pictures, clients, reply checks."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from PIL import Image, ImageDraw

from imagestudio.adapters.sandbox.config import SANDBOX_KEY
from imagestudio.adapters.sandbox.runner import RunningSandbox

MEGAPIXEL = 1024 * 1024
Files = dict[str, tuple[str, bytes, str]]


def picture(width: int, height: int, fmt: str = "PNG", *, alpha: bool = False) -> bytes:
    """A white picture with a red block in the middle (a foreground to cut out), encoded."""
    mode = "RGBA" if alpha else "RGB"
    background = (255, 255, 255, 0) if alpha else (255, 255, 255)
    image = Image.new(mode, (width, height), background)
    ImageDraw.Draw(image).rectangle(
        (width // 4, height // 4, 3 * width // 4, 3 * height // 4), fill=(200, 30, 30)
    )
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def image_part(data: bytes, name: str = "image.png") -> tuple[str, bytes, str]:
    return (name, data, "image/png")


def client(sandbox: RunningSandbox, key: str | None = SANDBOX_KEY, **options: Any) -> httpx.Client:
    headers = {"authorization": f"Bearer {key}"} if key is not None else {}
    return httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=30, **options)


def post(
    http: httpx.Client,
    path: str,
    data: Mapping[str, str] | None = None,
    files: Files | None = None,
    **options: Any,
) -> httpx.Response:
    """POST a multipart form to `/v2beta/<path>` (always multipart, even with no file)."""
    parts: Files = files or {"none": ("none.txt", b"", "text/plain")}
    return http.post(f"/v2beta/{path}", data=dict(data or {}), files=parts, **options)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def assert_v2beta_error(reply: httpx.Response, status: int, name: str) -> list[str]:
    """The reply is `{id: 32 hex, name, errors: [...]}` with this status; returns the errors."""
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert set(body) == {"id", "name", "errors"}
    assert body["name"] == name
    if name != "rate_limit_exceeded":
        assert re.fullmatch(r"[0-9a-f]{32}", body["id"])
    assert body["errors"]
    assert all(isinstance(error, str) for error in body["errors"])
    errors: list[str] = body["errors"]
    return errors


def assert_field_error(reply: httpx.Response, field: str) -> None:
    """A 400 bad_request whose errors name `field` as `"field: reason"`."""
    errors = assert_v2beta_error(reply, 400, "bad_request")
    assert any(error.startswith(f"{field}: ") for error in errors), errors


def pixels_near(image: Image.Image, pixels: int, tolerance: float = 0.1) -> bool:
    return abs(image.width * image.height - pixels) <= pixels * tolerance


def aspect_near(image: Image.Image, aspect: float, tolerance: float = 0.05) -> bool:
    return abs(image.width / image.height - aspect) <= aspect * tolerance


class ManualClock:
    """A clock the test moves by hand (swapped into `sandbox.state.clock`)."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def eventually(condition: Callable[[], bool], timeout: float = 3.0) -> bool:
    """Whether `condition` holds within `timeout` seconds (checked every 10 ms)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
