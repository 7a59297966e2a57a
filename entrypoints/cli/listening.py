"""The socket a server command (`serve`, `sandbox`) listens on, bound before anything is printed
or started: a taken port, a host that is not this machine's or does not resolve is one line and
exit code 2 naming the option, not uvicorn's log and its exit code 3 (which here means a refused
quota). `--port 0` takes a free port, and what is printed is the port really bound."""

from __future__ import annotations

import socket

from imagestudio.domain.errors import InvalidInput


def listening_socket(host: str, port: int) -> socket.socket | InvalidInput:
    """A bound (not yet listening) TCP socket on `host`:`port`, as uvicorn binds its own."""
    if not host.strip():
        # An empty host (`--host "$UNSET"`) is the wildcard to the resolver: the server, meant
        # for this machine, listened on every interface.
        return InvalidInput("--host", "is empty: give 127.0.0.1 (this machine) or 0.0.0.0 (all)")
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        return InvalidInput("--host", f"{host!r}: {error.strerror}")
    family, kind, protocol, _, address = found[0]
    listener = socket.socket(family, kind, protocol)
    try:
        # A server restarted at once finds its port in TIME_WAIT: that must not refuse it.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
    except OSError as error:
        listener.close()
        said = error.strerror or str(error)
        return InvalidInput("--port", f"cannot listen on {host}:{port}: {said}")
    listener.set_inheritable(True)
    return listener


def bound_port(listener: socket.socket) -> int:
    return int(listener.getsockname()[1])
