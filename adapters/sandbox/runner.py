"""Running the sandbox: in a thread on a free port (tests, demo), or in the foreground (CLI)."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Literal

import uvicorn
from starlette.types import ASGIApp

from imagestudio.adapters.sandbox.app import build_app
from imagestudio.adapters.sandbox.config import SandboxConfig
from imagestudio.adapters.sandbox.state import SandboxState

STARTUP_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 75
"""Longer than any client's keep-alive, so a client never sends on a connection being closed."""


class ServedApp:
    """`with ServedApp(app) as served:` serves any ASGI app on loopback at `served.base_url`.

    The server runs on its own event loop in a thread, so sync and async callers alike reach it
    over real HTTP (tests also use it for purpose-built stand-ins of a provider).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        name: str = "served-app",
        lifespan: Literal["on", "off"] = "off",
    ) -> None:
        self._server = uvicorn.Server(
            uvicorn.Config(
                app,
                host=host,
                port=port,
                log_level="warning",
                access_log=False,
                lifespan=lifespan,
                timeout_graceful_shutdown=1,
                timeout_keep_alive=KEEP_ALIVE_SECONDS,
            )
        )
        self._thread = threading.Thread(target=self._server.run, name=name, daemon=True)
        self.base_url = ""
        self.port = 0

    def __enter__(self) -> ServedApp:
        self._thread.start()
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the {self._thread.name} server did not start")
            time.sleep(0.01)
        host, self.port = self._server.servers[0].sockets[0].getsockname()[:2]
        self.base_url = f"http://{host}:{self.port}"
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=STARTUP_SECONDS)


class RunningSandbox(ServedApp):
    """`with RunningSandbox(config) as sandbox:` serves the sandbox at `sandbox.base_url`;
    `sandbox.state` exposes its books and fault script to the test."""

    def __init__(
        self, config: SandboxConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.state = SandboxState(config or SandboxConfig())
        super().__init__(build_app(self.state), host=host, port=port, name="sandbox")

    def __enter__(self) -> RunningSandbox:
        super().__enter__()
        return self


def serve(config: SandboxConfig, listener: socket.socket) -> None:
    """Serve on `listener` (bound) in the foreground until interrupted (the `imagestudio
    sandbox` command). Says first which API keys it takes: any other answers 401, as the real
    services do."""
    keys = ", ".join(sorted(config.api_keys))
    print(
        f"sandbox API key: {keys} (send `Authorization: Bearer <key>`; any other key answers 401)",
        flush=True,
    )
    # No access log: a line per request costs more than the sandbox's own work under load.
    uvicorn.Server(
        uvicorn.Config(
            build_app(SandboxState(config)),
            log_level="info",
            access_log=False,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )
    ).run(sockets=[listener])
