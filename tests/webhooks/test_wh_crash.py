"""kill -9 mid-burst: every delivery that got a 2xx reaches the warehouse exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
from wh_helpers import follow_body

from pipeline.webhooks.loader import load_sealed_segments
from pipeline.webhooks.secrets import sign

SECRET = "crash-secret"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_receiver(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "VELORA_DATA_DIR": str(data_dir), "VELORA_WEBHOOK_SECRET": SECRET}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline.webhooks.cli",
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.05)
        if proc.poll() is not None:
            raise RuntimeError(f"receiver exited: {proc.stderr.read() if proc.stderr else ''}")
    proc.kill()
    raise RuntimeError("receiver did not become healthy")


async def burst(port: int, n: int, kill_after: int, proc: subprocess.Popen[bytes]) -> list[str]:
    acked: list[str] = []
    limits = httpx.Limits(max_connections=48)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=10
    ) as client:

        async def one(i: int) -> None:
            body = follow_body(i, with_id=i % 3 != 0)  # a third use the id-less envelope
            try:
                r = await client.post(
                    "/webhooks/velora",
                    content=body,
                    headers={
                        "X-Velora-Signature": sign(body, SECRET),
                        "X-Velora-Timestamp": str(int(time.time() * 1000)),
                    },
                )
            except httpx.HTTPError:
                return  # connection died with the receiver: not acknowledged
            if r.status_code == 200:
                acked.append(r.json()["key"])
                if len(acked) == kill_after:
                    proc.send_signal(signal.SIGKILL)

        await asyncio.gather(*(one(i) for i in range(n)))
    return acked


def test_kill_9_mid_burst_loses_nothing_acknowledged(tmp_path: Path) -> None:
    port = free_port()
    proc = start_receiver(tmp_path, port)
    try:
        acked = asyncio.run(burst(port, 600, 200, proc))
    finally:
        proc.kill()
        proc.wait()
    landing = tmp_path / "landing"
    assert len(acked) >= 200
    assert list(landing.glob("*.open")), "the crash should have left an open segment"

    # Restart: the crashed segment is recovered and sealed; a graceful stop seals the new one.
    port = free_port()
    proc = start_receiver(tmp_path, port)
    body = follow_body(10_000)
    ok = httpx.post(
        f"http://127.0.0.1:{port}/webhooks/velora",
        content=body,
        headers={
            "X-Velora-Signature": sign(body, SECRET),
            "X-Velora-Timestamp": str(int(time.time() * 1000)),
        },
    )
    assert ok.status_code == 200
    proc.send_signal(signal.SIGTERM)
    # uvicorn re-raises the signal after its graceful shutdown, so -SIGTERM is a clean exit.
    assert proc.wait(timeout=20) in (0, -signal.SIGTERM)
    assert not list(landing.glob("*.open"))

    db = tmp_path / "wh.duckdb"
    result = load_sealed_segments(landing, db)
    assert result.quarantined == 0
    conn = duckdb.connect(str(db), read_only=True)
    try:
        keys = [r[0] for r in conn.execute("SELECT event_key FROM core.webhook_events").fetchall()]
        follows = conn.execute(
            "SELECT count(*), count(DISTINCT event_key) FROM core.follows"
        ).fetchone()
    finally:
        conn.close()
    assert len(keys) == len(set(keys))
    assert set(acked) | {"evt_follow_10000"} <= set(keys)
    assert follows is not None and follows[0] == follows[1] == len(keys)
