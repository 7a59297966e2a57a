"""Local operations over real HTTP: compress, convert and social from an upload (JSON or
multipart) or an asset id, free but recorded; their refusals; the storage limit."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from http_support import ADMIN, png, serving
from PIL import Image

from imagestudio.adapters.images.pillow_processor import PillowImageProcessor
from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.domain.media import MediaType
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.http.app import create_app
from imagestudio.entrypoints.settings import Profile, Settings

PROBLEM = "application/problem+json"
TINY = {"spend_cap": "unlimited", "requests_per_minute": 600, "concurrent_operations": 4}


def photo(width: int = 640, height: int = 480) -> bytes:
    """A PNG with detail in it, so that quality and size mean something."""
    ramp = Image.linear_gradient("L").resize((width, height))
    grain = Image.effect_noise((width, height), 40)
    buffer = io.BytesIO()
    Image.merge("RGB", (ramp, grain, ramp.transpose(Image.Transpose.ROTATE_180))).save(
        buffer, "PNG"
    )
    return buffer.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def done(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == "succeeded" and body["charged_micros"] == 0
    assert body["provider"] == "local" and len(body["assets"]) == 1
    return body


def output(client: httpx.Client, body: dict[str, Any]) -> Image.Image:
    fetched = client.get(body["assets"][0]["url"])
    assert fetched.status_code == 200
    assert len(fetched.content) == body["assets"][0]["size_bytes"]
    return Image.open(io.BytesIO(fetched.content))


def refused(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    return body


def test_compress_within_a_target_size_from_an_upload_and_at_a_quality_from_an_asset(
    tmp_path: Path,
) -> None:
    source = photo()
    with serving(tmp_path) as api, api.client("alice") as alice:
        fitted = done(
            alice.post(
                "/v1/local/compress",
                data={"target_bytes": "30000", "format": "jpg"},
                files={"image": ("in.png", source, "image/png")},
            )
        )
        fitted_image = output(alice, fitted)
        stored = fitted["assets"][0]["id"]
        lower = done(alice.post("/v1/local/compress", json={"asset_id": stored, "quality": 10}))
        lower_image = output(alice, lower)

    assert fitted["kind"] == "compress" and fitted["model"] == "local/compress"
    assert fitted_image.format == "JPEG" and fitted_image.size == (640, 480)
    assert fitted["assets"][0]["size_bytes"] <= 30_000 < len(source)
    assert lower_image.format == "JPEG" and lower_image.size == (640, 480)
    assert lower["assets"][0]["size_bytes"] < fitted["assets"][0]["size_bytes"]


def test_convert_flattens_transparency_onto_the_background_and_reads_asset_ids(
    tmp_path: Path,
) -> None:
    buffer = io.BytesIO()
    Image.new("RGBA", (40, 30), (0, 0, 0, 0)).save(buffer, "PNG")
    with serving(tmp_path) as api, api.client("alice") as alice:
        flat = done(
            alice.post(
                "/v1/local/convert",
                json={"image": b64(buffer.getvalue()), "format": "jpg", "background": "#ff0000"},
            )
        )
        flat_image = output(alice, flat)
        webp = done(
            alice.post(
                "/v1/local/convert",
                data={"asset_id": flat["assets"][0]["id"], "format": "webp", "quality": "80"},
            )
        )
        webp_image = output(alice, webp)

    assert flat_image.format == "JPEG" and flat_image.size == (40, 30)
    red, green, blue = flat_image.convert("RGB").getpixel((20, 15))  # type: ignore[misc]
    assert red > 240 and green < 15 and blue < 15
    assert webp_image.format == "WEBP" and webp["assets"][0]["media_type"] == "image/webp"


def test_social_crops_to_the_presets_exact_size_in_its_type_or_the_one_asked(
    tmp_path: Path,
) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice:
        story = done(
            alice.post(
                "/v1/local/social",
                data={"preset": "instagram/story"},
                files={"image": ("in.png", photo(), "image/png")},
            )
        )
        story_image = output(alice, story)
        header = done(
            alice.post(
                "/v1/local/social",
                json={"asset_id": story["assets"][0]["id"], "preset": "x/header", "format": "png"},
            )
        )
        header_image = output(alice, header)
        presets = alice.get("/v1/social-formats").json()
        instagram = alice.get("/v1/social-formats", params={"platform": "Instagram"}).json()
        nowhere = alice.get("/v1/social-formats", params={"platform": "myspace"}).json()

    assert story_image.format == "JPEG" and story_image.size == (1080, 1920)
    x_header = next(p for p in presets if p["key"] == "x/header")
    assert header_image.format == "PNG"
    assert header_image.size == (x_header["width"], x_header["height"])
    assert {p["platform"] for p in instagram} == {"instagram"}
    assert {"key": "instagram/story", "width": 1080, "height": 1920}.items() <= next(
        p for p in instagram if p["name"] == "story"
    ).items()
    assert nowhere == []


def test_local_operations_are_free_and_counted_in_the_local_row_of_usage(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice:
        source = {"image": b64(png())}
        for path, extra in (
            ("compress", {"quality": 50}),
            ("convert", {"format": "webp"}),
            ("social", {"preset": "instagram/square"}),
        ):
            done(alice.post(f"/v1/local/{path}", json=source | extra))
        usage = alice.get("/v1/usage").json()
        listed = alice.get("/v1/assets").json()["items"]
        with api.admin() as admin:
            plan = admin.get("/v1/admin/plans/pro").json()

    rows = {row["name"]: row for row in usage["rows"]}
    assert rows["local"]["used"] == 3
    assert rows["spend"]["used"] == "$0.00"
    assert rows["storage"]["unit"] == "bytes"
    assert rows["storage"]["used"] == sum(item["size_bytes"] for item in listed)
    assert usage["retention_days"] == plan["retention_days"]
    assert sorted(item["kind"] for item in listed) == ["compress", "convert", "social"]


def test_bad_input_is_refused_with_the_operations_problems(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice:
        image = b64(png())
        answers = {
            "undecodable": refused(
                alice.post("/v1/local/compress", json={"image": b64(b"no"), "quality": 5}), 422
            ),
            "not base64": refused(alice.post("/v1/local/compress", json={"image": "%%"}), 422),
            "no image": refused(alice.post("/v1/local/compress", json={"quality": 5}), 422),
            "both": refused(
                alice.post("/v1/local/compress", json={"image": image, "asset_id": "ast_x"}), 422
            ),
            "quality and size": refused(
                alice.post(
                    "/v1/local/compress",
                    json={"image": image, "quality": 5, "target_bytes": 100},
                ),
                422,
            ),
            "unknown preset": refused(
                alice.post("/v1/local/social", json={"image": image, "preset": "instagram/x"}),
                422,
            ),
            "unknown asset": refused(
                alice.post("/v1/local/convert", json={"asset_id": "ast_none", "format": "png"}),
                404,
            ),
            "bad colour": refused(
                alice.post(
                    "/v1/local/convert",
                    json={"image": image, "format": "jpg", "background": "red"},
                ),
                400,
            ),
            "gif": refused(
                alice.post("/v1/local/convert", json={"image": image, "format": "gif"}), 400
            ),
            "stray file": refused(
                alice.post(
                    "/v1/local/compress",
                    data={"quality": "5"},
                    files={"mask": ("m.png", png(), "image/png")},
                ),
                400,
            ),
        }

    assert answers["undecodable"]["field"] == "image"
    assert answers["not base64"]["field"] == "image"
    assert answers["no image"]["field"] == answers["both"]["field"] == "image"
    assert answers["quality and size"]["field"] == "quality"
    assert answers["unknown preset"]["field"] == "preset"
    assert "instagram/story" in answers["unknown preset"]["detail"]
    assert answers["unknown asset"]["type"] == "/problems/asset-not-found"
    assert answers["gif"]["type"] == answers["bad colour"]["type"] == "/problems/bad-request"


def test_an_oversized_upload_is_413(tmp_path: Path) -> None:
    with serving(tmp_path, http_max_request_bytes=50_000) as api, api.client("alice") as alice:
        answer = alice.post(
            "/v1/local/compress",
            data={"quality": "50"},
            files={"image": ("big.png", b"\x89PNG" + bytes(60_000), "image/png")},
        )

    assert refused(answer, 413)


class NoAvif(PillowImageProcessor):
    def writable(self) -> frozenset[MediaType]:
        return super().writable() - {MediaType.AVIF}


@contextmanager
def serving_without_avif(tmp_path: Path) -> Iterator[httpx.Client]:
    settings = Settings(profile=Profile.TEST, data_dir=tmp_path, admin_key=ADMIN)

    async def studio(chosen: Settings) -> ImageStudio:
        return await ImageStudio.connect(chosen, adapters={"image_processor": NoAvif()})

    with ServedApp(create_app(settings, studio), lifespan="on", name="http-no-avif") as served:
        with httpx.Client(
            base_url=served.base_url, headers={"Authorization": f"Bearer {ADMIN}"}
        ) as admin:
            key = admin.post("/v1/admin/users", json={"user_id": "alice", "plan": "pro"})
        with httpx.Client(
            base_url=served.base_url, headers={"Authorization": f"Bearer {key.json()['api_key']}"}
        ) as alice:
            yield alice


def test_a_format_this_server_cannot_write_is_415(tmp_path: Path) -> None:
    with serving_without_avif(tmp_path) as alice:
        answer = alice.post("/v1/local/convert", json={"image": b64(png()), "format": "avif"})
        usage = alice.get("/v1/usage").json()

    body = refused(answer, 415)
    assert body["type"] == "/problems/invalid-input/unsupported-format"
    assert body["field"] == "format" and "can write" in body["detail"]
    assert {row["name"]: row["used"] for row in usage["rows"]}["local"] == 0


def test_a_full_storage_refuses_operations_and_local_work_with_402(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.admin() as admin, api.client("alice") as alice:
        assert admin.put("/v1/admin/plans/tiny", json=TINY | {"storage": 1}).status_code == 201
        moved = admin.put("/v1/admin/users/alice/plan", json={"plan": "tiny"})
        assert moved.status_code == 200, moved.text
        first = alice.post("/v1/operations", json={"kind": "text-to-image", "prompt": "x"})
        asset_id = first.json()["assets"][0]["id"]
        operation = alice.post("/v1/operations", json={"kind": "text-to-image", "prompt": "y"})
        local = alice.post("/v1/local/compress", json={"asset_id": asset_id, "quality": 5})
        full = {row["name"]: row for row in alice.get("/v1/usage").json()["rows"]}["storage"]
        freed = alice.delete(f"/v1/assets/{asset_id}")
        again = alice.post("/v1/local/compress", json={"image": b64(png()), "quality": 5})

    assert first.status_code == 200, first.text
    for answer in (operation, local):
        body = refused(answer, 402)
        assert body["type"] == "/problems/storage-quota-exceeded"
        assert body["limit"] == 1 and body["used"] == first.json()["assets"][0]["size_bytes"]
        assert answer.headers["x-should-retry"] == "false"
    assert (full["limit"], full["remaining"], full["unit"]) == (1, 0, "bytes")
    assert freed.status_code == 204
    assert again.status_code == 200, again.text
