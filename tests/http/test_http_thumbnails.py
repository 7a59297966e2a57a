"""`GET /v1/assets/{id}/thumbnail` over real HTTP, on the local profile (SQLite and files): a
WebP kept beside the asset's file, revalidated by ETag, the owner's only, removed with it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
from http_support import serving
from PIL import Image

from imagestudio.entrypoints.settings import Profile

PROBLEM = "application/problem+json"


def made(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    done = client.post("/v1/operations", json=body)
    assert done.status_code == 200, done.text
    asset: dict[str, Any] = done.json()["assets"][0]
    return asset


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    return body


def test_thumbnails_are_served_cached_revalidated_private_and_removed(tmp_path: Path) -> None:
    local = {"profile": Profile.LOCAL, "offline_provider": True}
    with (
        serving(tmp_path, **local) as api,
        api.client("alice") as alice,
        api.client("bob") as bob,
    ):
        image = made(
            alice, {"kind": "text-to-image", "prompt": "a fox", "width": 768, "height": 512}
        )
        url = f"/v1/assets/{image['id']}/thumbnail"

        first = alice.get(url, params={"size": 128})
        assert first.status_code == 200, first.text
        assert first.headers["content-type"] == "image/webp"
        assert first.headers["cache-control"] == "private, max-age=3600"
        with Image.open(io.BytesIO(first.content)) as thumbnail:
            assert thumbnail.format == "WEBP" and max(thumbnail.size) == 128
        kept = tmp_path / "assets" / "alice" / f"{image['id']}~thumb128.webp"
        assert kept.read_bytes() == first.content

        tag = first.headers["etag"]
        again = alice.get(url, params={"size": 128}, headers={"if-none-match": tag})
        assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", tag)
        assert alice.get(url).status_code == 200  # the default size, 256

        for size in ("300", "0", "-1"):  # a number, but not a size offered
            assert problem(alice.get(url, params={"size": size}), 422)["field"] == "size"
        for size in ("abc", "1e9", ""):  # not a number: the request's shape
            assert problem(alice.get(url, params={"size": size}), 400)["field"] == "query.size"
        assert problem(bob.get(url), 404)["type"].endswith("/asset-not-found")
        assert problem(alice.get("/v1/assets/ast_none/thumbnail"), 404)["type"].endswith(
            "/asset-not-found"
        )

        model = made(alice, {"kind": "image-to-3d", "images": [{"asset_id": image["id"]}]})
        no = problem(alice.get(f"/v1/assets/{model['id']}/thumbnail"), 404)
        assert no["type"].endswith("/no-thumbnail") and no["media_type"] == "model/gltf-binary"

        usage = {row["name"]: row for row in alice.get("/v1/usage").json()["rows"]}
        listed = alice.get("/v1/assets").json()["items"]
        assert usage["storage"]["used"] == sum(item["size_bytes"] for item in listed)

        assert alice.delete(f"/v1/assets/{image['id']}").status_code == 204
        assert not kept.exists()
        assert not list((tmp_path / "assets" / "alice").glob(f"{image['id']}*"))
        assert problem(alice.get(url), 404)["type"].endswith("/asset-not-found")
