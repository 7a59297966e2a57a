"""No secret reaches a log line. A session on a server run as `imagestudio serve` runs it (uvicorn
with its own logging and access log), with real-looking user keys, the admin key, provider keys
(the providers being the sandbox on loopback) and signed asset links — a key revoked by naming
it in the URL, wrong keys, a forged link — then every line any logger wrote is searched for
every secret of the session."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

from imagestudio.adapters.sandbox.config import SandboxConfig
from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.entrypoints.http.app import create_app
from imagestudio.entrypoints.settings import Profile, Settings

ADMIN_KEY = "adm_" + secrets.token_urlsafe(24)
SIGNING_KEY = secrets.token_urlsafe(40)
WAVESPEED_KEY = "ws_live_" + secrets.token_hex(20)
STABILITY_KEY = "sk-" + secrets.token_urlsafe(36)


class Captured(logging.Handler):
    """Every record of every logger, formatted with its traceback."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self._format = logging.Formatter("%(name)s %(levelname)s %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self._format.format(record))


@contextmanager
def capturing() -> Iterator[Captured]:
    handler = Captured()
    # uvicorn's own loggers do not propagate to the root: each gets the handler too.
    loggers = [logging.getLogger(name) for name in ("", "uvicorn", "uvicorn.access")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
    logging.getLogger().setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


@contextmanager
def served_like_serve(settings: Settings) -> Iterator[str]:
    """The app on uvicorn as `imagestudio serve` runs it: uvicorn's logging, access log on."""
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_level="debug")
    server = uvicorn.Server(config)  # logging is configured by now: the capture comes after
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def session(base_url: str) -> list[str]:
    """A day of use; every secret it saw."""
    seen = [ADMIN_KEY, SIGNING_KEY, WAVESPEED_KEY, STABILITY_KEY]
    admin = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    keys = {}
    for user in ("alice", "bob"):
        made = admin.post("/v1/admin/users", json={"user_id": user, "plan": "pro"})
        assert made.status_code == 201, made.text
        keys[user] = made.json()["api_key"]
    rotated = admin.post("/v1/admin/users/bob/keys/rotate").json()["api_key"]
    seen += [*keys.values(), rotated]
    alice = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {keys['alice']}"})
    bob = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {rotated}"})

    generated = alice.post(
        "/v1/images/generations", json={"prompt": "a kite", "n": 2, "response_format": "url"}
    )
    assert generated.status_code == 200, generated.text
    links = [item["url"] for item in generated.json()["data"]]
    seen += [link.rsplit("/", 1)[1] for link in links]
    seen += [link.rsplit(".", 1)[1] for link in links]  # the signature alone
    for link in links:
        assert httpx.get(link).status_code == 200
        assert httpx.get(link + "x").status_code == 403  # forged: logged as refused
        assert httpx.get(link.replace("/v1/", "/v1/x/", 1)).status_code == 404
    for model in ("wavespeed/flux-dev", "stability/generate-core", "nope/none"):
        bob.post("/v1/operations", json={"kind": "text-to-image", "prompt": "owl", "model": model})
    wrong = "isk_" + secrets.token_urlsafe(32)
    seen.append(wrong)
    httpx.get(f"{base_url}/v1/usage", headers={"Authorization": f"Bearer {wrong}"})
    httpx.get(f"{base_url}/v1/admin/plans", headers={"Authorization": f"Bearer {wrong}"})
    # Revoked by naming the whole key in the URL, as the CLI allows.
    assert admin.delete(f"/v1/admin/keys/{keys['alice']}").status_code == 200
    assert admin.delete(f"/v1/admin/keys/{keys['alice']}?again=1").status_code == 200
    assert alice.get("/v1/usage").status_code == 401
    return seen


def test_no_log_line_holds_a_secret(tmp_path: Path) -> None:
    sandbox_config = SandboxConfig(api_keys=frozenset({WAVESPEED_KEY, STABILITY_KEY}))
    with RunningSandbox(sandbox_config) as sandbox:
        settings = Settings(
            profile=Profile.TEST,
            data_dir=tmp_path,
            admin_key=ADMIN_KEY,
            signing_key=SIGNING_KEY,
            wavespeed_api_key=WAVESPEED_KEY,
            stability_api_key=STABILITY_KEY,
            wavespeed_base_url=sandbox.base_url,
            stability_base_url=sandbox.base_url,
        )
        with served_like_serve(settings) as base_url, capturing() as captured:
            secrets_seen = session(base_url)

    lines = captured.lines
    access = [line for line in lines if line.startswith("uvicorn.access")]
    assert len(access) > 20, lines  # the access log was on, and captured
    assert any("DELETE /v1/admin/keys/isk_" in line for line in access)
    assert any("/v1/signed-assets/" in line for line in access)
    for secret in secrets_seen:
        leaks = [line for line in lines if secret in line]
        assert not leaks, (secret[:6], leaks)
