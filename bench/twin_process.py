"""A frozen-clock twin in its own process, for benchmarks that must not share its CPU or memory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _velora_command() -> list[str]:
    script = Path(sys.executable).with_name("velora")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipeline.cli"]


@contextmanager
def running_twin(
    *,
    start: datetime,
    rate_limit: int,
    log_path: Path,
    creators: int | None = None,
    subscriber_rate_limit: int | None = None,
) -> Iterator[str]:
    """A frozen twin starting at ``start``; yields its base URL; always stopped."""
    with twin_process(
        start=start,
        rate_limit=rate_limit,
        log_path=log_path,
        creators=creators,
        subscriber_rate_limit=subscriber_rate_limit,
    ) as (base_url, _proc):
        yield base_url


@contextmanager
def twin_process(
    *,
    start: datetime,
    rate_limit: int,
    log_path: Path,
    creators: int | None = None,
    subscriber_rate_limit: int | None = None,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Like :func:`running_twin`, also yielding the process (to read its memory and CPU)."""
    options = ["--rate-limit", str(rate_limit), "--start", start.isoformat()]
    if creators is not None:
        options += ["--creators", str(creators)]
    if subscriber_rate_limit is not None:
        options += ["--subscriber-rate-limit", str(subscriber_rate_limit)]
    for _attempt in range(3):
        port = _free_port()
        command = [*_velora_command(), "twin", "serve", "--clock", "frozen", "--port", str(port)]
        with log_path.open("ab") as log:
            proc = subprocess.Popen([*command, *options], stdout=log, stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{port}"
        try:
            if _wait_ready(proc, base_url, timeout=120):
                yield base_url, proc
                return
        finally:
            _stop(proc)
    raise RuntimeError(f"the twin did not start; see {log_path}")


def rss_mb(pid: int) -> float:
    """Resident memory of a process now (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux /proc, clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_ready(proc: subprocess.Popen[bytes], base_url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False  # e.g. the port was taken meanwhile: try another
        try:
            httpx.get(f"{base_url}/_twin/clock", timeout=2).raise_for_status()
            return True
        except httpx.HTTPError:
            time.sleep(0.2)
    return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
