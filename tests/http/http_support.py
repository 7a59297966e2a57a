"""The HTTP API served for real on loopback (uvicorn in a thread), with two users and an admin."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.adapters.sql import schema
from imagestudio.entrypoints.builders import build_engine
from imagestudio.entrypoints.http.app import create_app
from imagestudio.entrypoints.settings import Profile, Settings

ADMIN = "admin-secret-for-tests"


@dataclass
class Api:
    base_url: str
    keys: dict[str, str]

    def client(self, user: str | None = None, **kwargs: Any) -> httpx.Client:
        headers = {} if user is None else {"Authorization": f"Bearer {self.keys[user]}"}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30, **kwargs)

    def admin(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30
        )


@contextmanager
def serving(tmp_path: Path, users: dict[str, str] | None = None, **overrides: Any) -> Iterator[Api]:
    settings = Settings(
        profile=overrides.pop("profile", Profile.TEST),
        data_dir=tmp_path,
        admin_key=ADMIN,
        **overrides,
    )
    with ServedApp(create_app(settings), lifespan="on", name="http-api") as served:
        api = Api(served.base_url, {})
        with api.admin() as admin:
            for user, plan in (users or {"alice": "pro", "bob": "pro"}).items():
                made = admin.post("/v1/admin/users", json={"user_id": user, "plan": plan})
                assert made.status_code == 201, made.text
                api.keys[user] = made.json()["api_key"]
        yield api


def png(width: int = 256, height: int = 192) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def migrated(database_url: str, tmp_path: Path) -> dict[str, Any]:
    """Settings for the API on `database_url`, its schema brought up to date first."""
    chosen: dict[str, Any] = {
        "profile": Profile.LOCAL,
        "database_url": database_url,
        "offline_provider": True,
    }

    async def upgrade() -> None:
        engine = build_engine(Settings(data_dir=tmp_path, **chosen))
        await schema.upgrade(engine)
        await engine.dispose()

    asyncio.run(upgrade())
    return chosen


def footprint(api: Api, user: str) -> tuple[Any, ...]:
    """What a request may have charged or stored for `user`: their usage counters, assets and
    ledger lines (a refused request changes none of them)."""
    with api.client(user) as client, api.admin() as admin:
        usage = client.get("/v1/usage").json()
        assets = client.get("/v1/assets", params={"limit": 200}).json()
        lines = admin.get(
            "/v1/admin/usage/export",
            params={"since": "2000-01-01", "user": user, "format": "json"},
        ).json()
    return (
        [(row["name"], row["used"], row["held"]) for row in usage["rows"]],
        [asset["id"] for asset in assets["items"]],
        [line["line_id"] for line in lines],
    )
