"""A real, throwaway PostgreSQL server for the test suite, from the machine's Debian packages.

`ThrowawayPostgres().start()` runs `initdb` in a fresh temporary directory and starts the
server on a free TCP port on 127.0.0.1 (and a unix socket inside that directory), with
durability switched off so it starts in well under a second. `url` is the plain
`postgresql://postgres@127.0.0.1:<port>/postgres` users write; `create_database(name)` returns
the URL of a fresh, empty database. `stop()` kills the server and deletes the directory.

`initdb` and `postgres` refuse to run as root, and sessions and CI run as root: then every
server command runs as the unprivileged `postgres` user the Debian package creates
(`runuser -u postgres -- …`), which owns the temporary directory.

Nothing outlives the test run: `stop()` is registered with `atexit`, and a small watchdog
process (in its own session, so Ctrl-C does not reach it) stops the server and removes the
directory as soon as the process that started it is gone, however it ended (even `kill -9`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import sql

POSTGRES_ROOT = Path("/usr/lib/postgresql")
SERVER_USER = "postgres"
ALLOW_MISSING_ENV = "IMAGESTUDIO_ALLOW_NO_POSTGRES"
_BINARIES = ("initdb", "pg_ctl", "postgres")
_DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}

# Runs in its own session; reads its stdin until the test run that started it is gone.
_WATCHDOG = """
import os, shutil, signal, subprocess, sys
sys.stdin.buffer.read()
root, data, stop = sys.argv[1], sys.argv[2], sys.argv[3:]
if os.path.isdir(data):
    try:
        subprocess.run(stop, cwd=root, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=30)
    except Exception:
        pass
    try:
        with open(os.path.join(data, "postmaster.pid")) as pid_file:
            pid = int(pid_file.readline())
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            if data.encode() in cmdline.read():  # not a stale file naming a recycled pid
                os.kill(pid, signal.SIGKILL)
    except Exception:
        pass
shutil.rmtree(root, ignore_errors=True)
"""


class PostgresUnavailable(RuntimeError):
    """This machine cannot run a PostgreSQL server: no binaries, or no user to run them as."""


def running_under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def may_skip_without_postgres() -> bool:
    """Tests may skip for want of PostgreSQL only when allowed by the env, and never on CI."""
    return os.environ.get(ALLOW_MISSING_ENV) == "1" and not running_under_ci()


def find_bin_dir(root: Path = POSTGRES_ROOT) -> Path:
    """`<root>/<highest version>/bin` holding initdb, pg_ctl and postgres."""
    found: list[tuple[tuple[int, ...], Path]] = []
    for bin_dir in root.glob("*/bin"):
        if all(os.access(bin_dir / name, os.X_OK) for name in _BINARIES):
            version = tuple(int(part) for part in re.findall(r"\d+", bin_dir.parent.name))
            found.append((version, bin_dir))
    if not found:
        raise PostgresUnavailable(
            f"no PostgreSQL server binaries ({', '.join(_BINARIES)}) under {root}/<version>/bin: "
            "install the Debian package (`apt-get install postgresql`; `.ci/run` does it), or set "
            f"{ALLOW_MISSING_ENV}=1 to skip the PostgreSQL tests (never honoured when CI is set)"
        )
    return max(found)[1]


class ThrowawayPostgres:
    """One PostgreSQL server in a temporary directory, for one test run."""

    def __init__(self, bin_dir: Path | None = None, *, timeout: float = 30.0) -> None:
        self.bin_dir = bin_dir if bin_dir is not None else find_bin_dir()
        self.timeout = timeout
        self.port = 0
        self._as_server_user = os.geteuid() == 0
        if self._as_server_user:
            try:
                pwd.getpwnam(SERVER_USER)
            except KeyError:
                raise PostgresUnavailable(
                    f"running as root, and initdb/postgres refuse to: the `{SERVER_USER}` user "
                    "the Debian postgresql package creates is missing"
                ) from None
            if shutil.which("runuser") is None:
                raise PostgresUnavailable("running as root, and `runuser` (util-linux) is missing")
        self._owner_pid = os.getpid()
        self._root: Path | None = None
        self._watchdog: subprocess.Popen[bytes] | None = None
        self._server: subprocess.Popen[bytes] | None = None
        self._log_offset = 0

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> ThrowawayPostgres:
        if self._root is not None:
            raise RuntimeError("this server was already started")
        self._root = Path(tempfile.mkdtemp(prefix="imagestudio-pg-", dir=self._temp_base()))
        atexit.register(self._stop_at_exit)
        try:
            self._socket_dir.mkdir()
            if self._as_server_user:
                user = pwd.getpwnam(SERVER_USER)
                for path in (self._root, self._socket_dir):
                    os.chown(path, user.pw_uid, user.pw_gid)
            self._start_watchdog()
            self._run(
                self._bin("initdb"),
                "-D",
                str(self._data_dir),
                "--auth=trust",
                "-U",
                SERVER_USER,
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            )
            self._start_on_free_port()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Kill the server (immediate shutdown) and delete its directory; safe to call twice."""
        if os.getpid() != self._owner_pid or self._root is None:
            return  # a forked child must never stop its parent's server
        try:
            if (self._data_dir / "postmaster.pid").exists():
                try:
                    self._run(
                        self._bin("pg_ctl"), "stop", "-D", str(self._data_dir), "-m", "immediate"
                    )
                except (RuntimeError, subprocess.TimeoutExpired):
                    _kill_postmaster(self._data_dir)
            self._reap_server()
            shutil.rmtree(self._root, ignore_errors=True)
        finally:
            self._root = None
            atexit.unregister(self._stop_at_exit)
            self._end_watchdog()

    def __enter__(self) -> ThrowawayPostgres:
        return self.start() if self._root is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what tests use -----------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The `postgres` database, as a plain `postgresql://` URL."""
        return self.url_for("postgres")

    @property
    def directory(self) -> Path | None:
        """The temporary directory holding the data, socket and log; None once stopped."""
        return self._root

    def url_for(self, database: str) -> str:
        if self._root is None:
            raise RuntimeError("the server is not running")
        return f"postgresql://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database (from template0) and return its URL."""
        if not _DATABASE_NAME.fullmatch(name):
            raise ValueError(f"database name {name!r} must match {_DATABASE_NAME.pattern}")
        with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name))
            )
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, closing any connection still open to it."""
        with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    # -- internals ----------------------------------------------------------------------------

    @property
    def _data_dir(self) -> Path:
        assert self._root is not None
        return self._root / "data"

    @property
    def _socket_dir(self) -> Path:
        assert self._root is not None
        return self._root / "socket"

    @property
    def _log_file(self) -> Path:
        assert self._root is not None
        return self._root / "server.log"

    def _bin(self, name: str) -> str:
        return str(self.bin_dir / name)

    def _command(self, *args: str) -> list[str]:
        if self._as_server_user:
            return ["runuser", "-u", SERVER_USER, "--", *args]
        return list(args)

    def _run(self, *args: str) -> None:
        command = self._command(*args)
        result = subprocess.run(
            command,
            cwd=self._root,  # readable by the server user, unlike the caller's directory maybe
            env=_environment(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=self.timeout + 10,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"`{shlex.join(command)}` failed with exit code {result.returncode}:\n"
                f"{result.stdout}{result.stderr}{self._log_tail()}"
            )

    def _start_on_free_port(self) -> None:
        for attempt in range(5):
            self.port = _free_port()
            self._launch()
            try:
                self._wait_until_ready()
                return
            except _PortTaken:
                # Another process took the port between our probe and the server's bind.
                self._reap_server()
                if attempt == 4:
                    raise RuntimeError(f"no free port after 5 tries{self._log_tail()}") from None

    def _launch(self) -> None:
        """Run `postgres` as our child (its own session: Ctrl-C does not reach it)."""
        settings = [
            arg for key, value in _SERVER_SETTINGS.items() for arg in ("-c", f"{key}={value}")
        ]
        command = self._command(
            self._bin("postgres"),
            "-D",
            str(self._data_dir),
            "-p",
            str(self.port),
            *settings,
            "-k",
            str(self._socket_dir),
        )
        with self._log_file.open("ab") as log:
            self._log_offset = log.tell()
            self._server = subprocess.Popen(
                command,
                cwd=self._root,
                env=_environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _wait_until_ready(self) -> None:
        assert self._server is not None
        deadline = time.monotonic() + self.timeout
        while True:
            code = self._server.poll()
            if code is not None:
                if "Address already in use" in self._log_tail(self._log_offset):
                    raise _PortTaken
                raise RuntimeError(
                    f"PostgreSQL exited with code {code} before accepting connections"
                    f"{self._log_tail()}"
                )
            try:
                with psycopg.connect(self.url, connect_timeout=2) as conn:
                    conn.execute("select 1")
                return
            except psycopg.OperationalError as error:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"PostgreSQL on port {self.port} did not accept connections within "
                        f"{self.timeout:g}s: {error}{self._log_tail()}"
                    ) from error
                time.sleep(0.05)

    def _reap_server(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        try:
            server.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _kill_postmaster(self._data_dir)
            server.kill()
            server.wait()

    def _start_watchdog(self) -> None:
        assert self._root is not None
        stop = self._command(
            self._bin("pg_ctl"), "stop", "-D", str(self._data_dir), "-m", "immediate"
        )
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, str(self._root), str(self._data_dir), *stop],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd="/",
            start_new_session=True,
        )

    def _end_watchdog(self) -> None:
        watchdog, self._watchdog = self._watchdog, None
        if watchdog is None:
            return
        if watchdog.stdin is not None:
            watchdog.stdin.close()  # it wakes up, finds nothing left to clean, and exits
        try:
            watchdog.wait(timeout=10)
        except subprocess.TimeoutExpired:
            watchdog.kill()
            watchdog.wait()

    def _stop_at_exit(self) -> None:
        with contextlib.suppress(Exception):
            self.stop()

    def _log_tail(self, offset: int = 0) -> str:
        try:
            text = self._log_file.read_bytes()[offset:].decode(errors="replace")
        except (AssertionError, OSError):
            return ""
        return f"\n--- end of {self._log_file} ---\n{text[-3000:]}"

    def _temp_base(self) -> str | None:
        """The temp folder, unless the server user could not reach a folder inside it."""
        base = Path(tempfile.gettempdir()).resolve()
        if not self._as_server_user:
            return None
        for folder in (base, *base.parents):
            if not folder.stat().st_mode & stat.S_IXOTH:
                return "/tmp"
        return str(base)


class _PortTaken(Exception):
    pass


def _environment() -> dict[str, str]:
    """Ours, without PG* variables (PGDATA, PGPORT, …) that would steer the server commands."""
    return {key: value for key, value in os.environ.items() if not key.startswith("PG")}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _kill_postmaster(data_dir: Path) -> None:
    """SIGKILL the postmaster named in the data directory, if it still is that postmaster."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int((data_dir / "postmaster.pid").read_text().splitlines()[0])
        if str(data_dir).encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
            os.kill(pid, signal.SIGKILL)
