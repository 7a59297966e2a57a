"""Helpers for the WaveSpeed emulator's contract tests: a client, images, polling, downloads.

Written from provider_contracts.md §1 and §3, not from any adapter: requests are plain JSON
over real HTTP on loopback.
"""

from __future__ import annotations

import base64
import io
import time
from typing import Any

import httpx
from PIL import Image

from imagestudio.adapters.sandbox.config import SANDBOX_KEY

AUTH = {"Authorization": f"Bearer {SANDBOX_KEY}"}
TERMINAL = ("completed", "failed")
POLL_EVERY = 0.01


def client(base_url: str, *, timeout: float = 30.0) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers=AUTH, timeout=timeout)


def image_bytes(width: int = 64, height: int = 48, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (180, 90, 40)).save(buffer, format=fmt)
    return buffer.getvalue()


def data_uri(data: bytes, media_type: str = "image/png") -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def raw_base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def submit(http: httpx.Client, model_path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST a task and return `data`, asserting the 200 envelope."""
    reply = http.post(f"/api/v3/{model_path}", json=body)
    assert reply.status_code == 200, reply.text
    envelope = reply.json()
    assert envelope["code"] == 200
    assert envelope["message"] == "success"
    data: dict[str, Any] = envelope["data"]
    return data


def run_sync(http: httpx.Client, model_path: str, body: dict[str, Any]) -> dict[str, Any]:
    """Submit in sync mode; the reply is the finished prediction."""
    return submit(http, model_path, {**body, "enable_sync_mode": True})


def poll(http: httpx.Client, prediction: dict[str, Any]) -> dict[str, Any]:
    reply = http.get(prediction["urls"]["get"])
    assert reply.status_code == 200, reply.text
    data: dict[str, Any] = reply.json()["data"]
    return data


def wait_done(
    http: httpx.Client, prediction: dict[str, Any], *, within: float = 10.0
) -> tuple[dict[str, Any], list[str]]:
    """Poll until the task ends: its last state and every status seen, in order."""
    seen = [prediction["status"]]
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        latest = poll(http, prediction)
        seen.append(latest["status"])
        if latest["status"] in TERMINAL:
            return latest, seen
        time.sleep(POLL_EVERY)
    raise AssertionError(f"the task did not finish within {within} s: {seen[-5:]}")


def statuses_in_order(seen: list[str]) -> list[str]:
    """The distinct statuses seen, consecutive repeats dropped."""
    return [status for index, status in enumerate(seen) if index == 0 or seen[index - 1] != status]


def download(url: str) -> bytes:
    reply = httpx.get(url, timeout=10.0)
    assert reply.status_code == 200, reply.text
    return reply.content


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def error_envelope(reply: httpx.Response, status: int) -> str:
    """Assert a non-2xx envelope `{code, message}` without data; returns the message."""
    assert reply.status_code == status, reply.text
    envelope = reply.json()
    assert set(envelope) == {"code", "message"}
    assert envelope["code"] == status
    assert isinstance(envelope["message"], str)
    assert envelope["message"]
    message: str = envelope["message"]
    return message
