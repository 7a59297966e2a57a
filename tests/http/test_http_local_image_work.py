"""Local image work is bounded: a user's rate and concurrency limits hold before any of it, it
runs in child processes (the server keeps answering), work past IMAGESTUDIO_IMAGE_SECONDS is
stopped, and inputs past IMAGESTUDIO_IMAGE_MAX_PIXELS are refused from their header. Each
refusal costs nothing."""

from __future__ import annotations

import io
import threading
import time
from functools import cache
from pathlib import Path

import httpx
from http_support import footprint, serving
from PIL import Image

SLOW = {"target_bytes": "1000"}
"""A target no 4000×4000 image reaches: the compressor tries every quality first (seconds)."""


@cache
def large_flat_png() -> bytes:
    """16 megapixels in about 50 KB."""
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 4000), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def compress(client: httpx.Client, data: bytes) -> httpx.Response:
    return client.post(
        "/v1/local/compress", data=SLOW, files={"image": ("big.png", data, "image/png")}
    )


def test_work_past_its_time_is_stopped_and_refused_at_no_cost(tmp_path: Path) -> None:
    with serving(tmp_path, image_seconds=0.5) as api, api.client("alice") as alice:
        before = footprint(api, "alice")
        started = time.monotonic()
        answer = compress(alice, large_flat_png())
        took = time.monotonic() - started
        after = footprint(api, "alice")
        failed = alice.get("/v1/operations", params={"kind": "compress"}).json()["items"]

    assert answer.status_code == 413, answer.text
    assert "IMAGESTUDIO_IMAGE_SECONDS" in answer.json()["detail"]
    assert took < 10
    assert after == before
    assert [item["status"] for item in failed] == ["failed"]


def test_an_input_over_the_pixel_budget_is_refused_from_its_header(tmp_path: Path) -> None:
    with serving(tmp_path, image_max_pixels=1_000_000) as api, api.client("alice") as alice:
        before = footprint(api, "alice")
        answer = compress(alice, large_flat_png())
        after = footprint(api, "alice")

    assert answer.status_code == 413, answer.text
    assert "4000×4000" in answer.json()["detail"]
    assert after == before


def test_concurrency_holds_before_image_work_and_others_are_served_meanwhile(
    tmp_path: Path,
) -> None:
    users = {"alice": "pro", "carol": "pro"}
    with serving(tmp_path, users=users, image_workers=1) as api:
        with api.admin() as admin:
            made = admin.put(
                "/v1/admin/plans/one-at-a-time",
                json={
                    "spend_cap": "unlimited",
                    "requests_per_minute": "unlimited",
                    "concurrent_operations": 1,
                },
            )
            assert made.status_code in (200, 201), made.text
            moved = admin.put("/v1/admin/users/carol/plan", json={"plan": "one-at-a-time"})
            assert moved.status_code == 200, moved.text
        answers: list[httpx.Response] = []
        data = large_flat_png()
        with api.client("carol") as carol, api.client("alice") as alice:
            first = threading.Thread(target=lambda: answers.append(compress(carol, data)))
            first.start()
            try:
                deadline = time.monotonic() + 30
                while not carol.get("/v1/operations", params={"unfinished": "true"}).json()[
                    "items"
                ]:
                    assert time.monotonic() < deadline, "the first compress never started"
                    time.sleep(0.02)
                second = compress(carol, data)
                started = time.monotonic()
                usage = alice.get("/v1/usage")
                answered_in = time.monotonic() - started
                still_working = first.is_alive()
            finally:
                first.join(60)

    assert second.status_code == 429, second.text
    assert "concurrent" in second.json()["detail"]
    assert usage.status_code == 200
    assert still_working, "the first compress ended too soon to tell"
    assert answered_in < 5
    assert answers and answers[0].status_code in (200, 413), answers[0].text
