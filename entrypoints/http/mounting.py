"""The HTTP API inside an application's own FastAPI (or Starlette) app, under a path prefix.

ASGI servers send lifespan events to the outermost app only, so a mounted app's lifespan never
runs: `app.mount("/studio", create_app())` would never connect its studio, and every route
would answer 500. `mountable_app` gives the sub-app together with its lifespan, for the host's
own lifespan to run; the studio then starts and stops with the host:

    studio = mountable_app(Settings(profile="local"))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with studio.lifespan(app):
            yield  # the host's own start-up and shut-down around this, as usual

    host = FastAPI(lifespan=lifespan)  # or FastAPI(lifespan=studio.lifespan) when it has none
    host.mount("/studio", studio.app)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI

from imagestudio.entrypoints.http.app import StudioFactory, create_app
from imagestudio.entrypoints.settings import Settings


@dataclass(frozen=True, slots=True)
class MountableApp:
    app: FastAPI
    """Mount this one (`host.mount(prefix, mounted.app)`)."""

    @asynccontextmanager
    async def lifespan(self, host: object = None) -> AsyncIterator[None]:
        """The sub-app's start-up and shut-down (connect the studio, run the sweeper; drain the
        operations in flight, close the pools), for the host's lifespan to enter. `host` is
        ignored: it is there so that this can be the host's `lifespan=` itself."""
        del host
        async with self.app.router.lifespan_context(self.app):
            yield


def mountable_app(
    settings: Settings | None = None, studio: StudioFactory | None = None
) -> MountableApp:
    """`create_app(settings, studio)`, with the lifespan a host must run for it."""
    app = create_app(settings) if studio is None else create_app(settings, studio)
    return MountableApp(app)
