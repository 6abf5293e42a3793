"""Serve an ASGI app on loopback in a background thread: the one launcher the twin, the tests'
receivers and the benches share.

``with serving(app) as base_url:`` binds a free port (port 0: the kernel picks it at bind time, so
there is no find-then-bind race), waits until uvicorn accepts connections, yields
``http://127.0.0.1:<port>``, and on exit lets in-flight requests finish, then joins the thread.
A server that fails to start raises :class:`ServerStartError` with uvicorn's reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any, Literal


def port_is_free(host: str, port: int) -> bool:
    """Whether a server could listen on ``host:port`` now. SO_REUSEADDR as the servers set it, so
    a just-stopped demo's TIME_WAIT connections do not count as the port being in use."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port free on ``host`` now, for a server in another process (which binds it itself; the
    tiny window between is harmless on a test machine)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


STARTUP_TIMEOUT_SECONDS = 30.0


class ServerStartError(RuntimeError):
    """The server thread died or did not accept connections in time."""


@contextlib.contextmanager
def serving(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    name: str = "asgi-server",
    lifespan: Literal["auto", "on", "off"] = "on",
    graceful_shutdown_seconds: int = 5,
) -> Iterator[str]:
    import uvicorn

    # uvicorn binds itself: sockets handed in via ``sockets=`` lose TCP_NODELAY, which costs
    # ~40 ms of delayed-ACK stall per keep-alive request.
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            lifespan=lifespan,
            timeout_graceful_shutdown=graceful_shutdown_seconds,
        )
    )
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(server.serve())
        except BaseException as exc:  # surfaced to the caller below
            failure.append(exc)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while not server.started:
        if failure or not thread.is_alive():
            reason = failure[0] if failure else "it exited during startup"
            raise ServerStartError(f"{name} failed to start: {reason}")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise ServerStartError(f"{name} did not start within {STARTUP_TIMEOUT_SECONDS:.0f} s")
        time.sleep(0.005)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout=graceful_shutdown_seconds + 10)
