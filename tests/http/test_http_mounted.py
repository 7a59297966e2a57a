"""The HTTP API mounted under a prefix in a host FastAPI app starts and stops with the host,
and every link it answers with stays under the prefix. Served for real on loopback."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import ClassVar

import httpx
from fastapi import FastAPI
from http_support import ADMIN, png

from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.http.mounting import mountable_app
from imagestudio.entrypoints.settings import Profile, Settings

PREFIX = "/studio"


class RecordingStudio(ImageStudio):
    events: ClassVar[list[str]] = []

    async def aclose(self) -> None:
        self.events.append("studio closed")
        await super().aclose()


async def recording_studio(settings: Settings) -> ImageStudio:
    RecordingStudio.events.append("studio connected")
    return await RecordingStudio.connect(settings)


def host_app(tmp_path: Path) -> FastAPI:
    settings = Settings(profile=Profile.LOCAL, data_dir=tmp_path, admin_key=ADMIN)
    studio = mountable_app(settings, recording_studio)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with studio.lifespan(app):
            RecordingStudio.events.append("host up")
            yield
            RecordingStudio.events.append("host down")

    host = FastAPI(lifespan=lifespan)

    @host.get("/")
    async def home() -> dict[str, str]:
        return {"app": "host"}

    host.mount(PREFIX, studio.app)
    return host


def test_the_mounted_api_starts_and_stops_with_its_host(tmp_path: Path) -> None:
    RecordingStudio.events.clear()
    with ServedApp(host_app(tmp_path), lifespan="on", name="host") as served:
        root = served.base_url
        with httpx.Client(base_url=root, timeout=30) as client:
            assert client.get("/").json() == {"app": "host"}
            assert client.get(f"{PREFIX}/healthz").status_code == 200
            made = client.post(
                f"{PREFIX}/v1/admin/users",
                json={"user_id": "alice", "plan": "pro"},
                headers={"Authorization": f"Bearer {ADMIN}"},
            )
            assert made.status_code == 201, made.text
            alice = {"Authorization": f"Bearer {made.json()['api_key']}"}

            accepted = client.post(
                f"{PREFIX}/v1/operations",
                json={"kind": "text-to-image", "prompt": "a red fox", "width": 320, "height": 256},
                headers={**alice, "Prefer": "respond-async"},
            )
            assert accepted.status_code == 202, accepted.text
            location = accepted.headers["location"]
            assert httpx.URL(location).path.startswith(f"{PREFIX}/v1/operations/")
            done = _settled(client, location, alice)
            [asset] = done["assets"]
            assert httpx.URL(asset["url"]).path == f"{PREFIX}/v1/assets/{asset['id']}"
            picture = client.get(asset["url"], headers=alice)
            assert picture.status_code == 200 and picture.content[:8] == png()[:8]

            openai = client.post(
                f"{PREFIX}/v1/images/generations", json={"prompt": "a kite"}, headers=alice
            )
            assert openai.status_code == 200, openai.text
            link = openai.json()["data"][0]["url"]
            assert httpx.URL(link).path.startswith(f"{PREFIX}/v1/signed-assets/")
            assert client.get(link).status_code == 200  # no key: the link is the grant

            refused = client.get(f"{PREFIX}/v1/usage")
            assert refused.status_code == 401
            assert client.get(f"{PREFIX}/problems/unauthorized").status_code == 200
        assert RecordingStudio.events == ["studio connected", "host up"]
    assert RecordingStudio.events == ["studio connected", "host up", "host down", "studio closed"]


def _settled(client: httpx.Client, location: str, headers: dict[str, str]) -> dict[str, object]:
    deadline = time.monotonic() + 30
    while True:
        polled = client.get(location, headers=headers)
        assert polled.status_code == 200, polled.text
        body: dict[str, object] = polled.json()
        if body["status"] == "succeeded" or time.monotonic() > deadline:
            assert body["status"] == "succeeded", body
            return body
        time.sleep(0.05)
