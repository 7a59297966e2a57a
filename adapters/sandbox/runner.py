"""Running the sandbox: in a thread on a free port (tests, demo), or in the foreground (CLI)."""

from __future__ import annotations

import threading
import time
from types import TracebackType

import uvicorn

from imagestudio.adapters.sandbox.app import build_app
from imagestudio.adapters.sandbox.config import SandboxConfig
from imagestudio.adapters.sandbox.state import SandboxState

STARTUP_SECONDS = 10.0


class RunningSandbox:
    """`with RunningSandbox(config) as sandbox:` serves on loopback at `sandbox.base_url`.

    The server runs on its own event loop in a thread, so sync and async callers alike reach it
    over real HTTP; `sandbox.state` exposes its books and fault script to the test.
    """

    def __init__(
        self, config: SandboxConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.state = SandboxState(config or SandboxConfig())
        self._server = uvicorn.Server(
            uvicorn.Config(
                build_app(self.state),
                host=host,
                port=port,
                log_level="warning",
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=1,
            )
        )
        self._thread = threading.Thread(target=self._server.run, name="sandbox", daemon=True)
        self.base_url = ""

    def __enter__(self) -> RunningSandbox:
        self._thread.start()
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.01)
        host, port = self._server.servers[0].sockets[0].getsockname()[:2]
        self.base_url = f"http://{host}:{port}"
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=STARTUP_SECONDS)


def serve(config: SandboxConfig, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve in the foreground until interrupted (the `imagestudio sandbox` command)."""
    uvicorn.run(build_app(SandboxState(config)), host=host, port=port, log_level="info")
